"""The one error every reader and writer of files raises: a Japanese sentence naming the place."""

from __future__ import annotations


class ExchangeError(Exception):
    """A file that cannot be read or written; str() is one Japanese sentence for the user."""


class ImportFileError(ExchangeError):
    """A file refused on import: names the file, and the sheet, row or field at fault."""

    def __init__(self, file_name: str, message: str) -> None:
        text = message if message.endswith("。") else message + "。"
        super().__init__(f"{file_name}: {text}")
        self.file_name = file_name
        self.detail = message
