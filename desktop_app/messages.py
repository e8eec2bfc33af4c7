"""Text that goes into a message for the user: always one line, never able to fake another line.

File names, `--ward` values and SQLite's own words are echoed in messages; a newline or a bidi
override in them could print a fake second line (a false "Traceback") or reorder what is shown.
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 and C1 controls, DEL, the bidi embeddings/overrides/isolates, and the line/paragraph
# separators: anything that could move or hide the text around it.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: object) -> str:
    """`text` as it may appear inside a message: control and bidi characters made visible (`\\n`)."""
    return _HIDDEN.sub(_escape, str(text))


def one_line(text: object) -> str:
    """A multi-line text of another program's (SQLite's) as one line: line breaks become spaces."""
    collapsed = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return shown(collapsed)


def has_control(text: str) -> bool:
    """True when `text` holds a character that must not reach a header or a one-line field."""
    return bool(_HIDDEN.search(text)) or any(unicodedata.category(char) == "Cc" for char in text)
