"""The one error every reader and writer of files raises: a Japanese sentence naming the place."""

from __future__ import annotations

from desktop_app.messages import shown


class ExchangeError(Exception):
    """A file that cannot be read or written; str() is one Japanese sentence for the user."""


class ImportFileError(ExchangeError):
    """A file refused on import: names the file, and the sheet, row or field at fault."""

    def __init__(self, file_name: str, message: str) -> None:
        text = message if message.endswith("。") else message + "。"
        # A file name may hold a newline or a bidi override: shown escaped, the message stays one line.
        super().__init__(f"{shown(file_name)}: {text}")
        self.file_name = file_name
        self.detail = message
