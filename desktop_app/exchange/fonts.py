"""The bundled Japanese font (IPAexGothic) for reportlab, and the characters it lacks."""

from __future__ import annotations

import logging
import threading
import unicodedata
from typing import Final

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from desktop_app.exchange.errors import ExchangeError
from desktop_app.paths import data_path

log = logging.getLogger("machizukuri.exchange.fonts")

FONT_NAME: Final = "IPAexGothic"
FONT_FILE: Final = ("resources", "fonts", "ipaexg.ttf")

# Characters seen in the city's documents that IPAexGothic has no glyph for (they would print as
# empty boxes), and the nearest character it has. The one place such substitutions are made.
SUBSTITUTES: Final = {
    "➤": "→",  # 西区's notes: 「R3年3月開催予定➤5月へ延期➤中止」
    "►": "▶",
    "✔": "✓",  # 北区's list of aims
    "☑": "✓",  # the action plan (002)
    "✕": "×",
    "✖": "×",
}

_lock = threading.Lock()
_registered: TTFont | None = None
_warned: set[str] = set()


def register_font() -> str:
    """Register IPAexGothic with reportlab (once per process) and return the name to draw with.

    Parsing the 6 MB font's tables takes about a tenth of a second, so it is done once and kept;
    reportlab embeds only the glyphs a document uses (a subset), which keeps PDFs small while the
    text stays searchable and copyable.
    """
    global _registered
    with _lock:  # reportlab's font registry is global: two threads must never both parse the font
        if _registered is None:
            path = data_path(*FONT_FILE)
            try:
                font = TTFont(FONT_NAME, str(path))
            except (OSError, TTFError) as exc:
                # A damaged or missing install: say which file, so support knows to reinstall.
                raise ExchangeError(f"PDF用のフォント（{path}）を読めません。") from exc
            pdfmetrics.registerFont(font)
            _registered = font
        return FONT_NAME


def _font() -> TTFont:
    register_font()
    assert _registered is not None
    return _registered


def char_widths() -> tuple[dict[int, float], float]:
    """Advance widths of the font per code point, in 1/1000 em, and the width of anything else."""
    face = _font().face
    return face.charWidths, float(face.defaultWidth)


def font_metrics() -> tuple[float, float]:
    """Ascent and descent (negative) of the font in 1/1000 em."""
    face = _font().face
    return float(face.ascent), float(face.descent)


def has_glyph(char: str) -> bool:
    return ord(char) in _font().face.charToGlyph


def printable(text: str) -> str:
    """The text with every character the font lacks replaced by one it has (see SUBSTITUTES)."""
    glyphs = _font().face.charToGlyph
    if all(ord(char) in glyphs or char == "\n" for char in text):
        return text
    out = []
    for char in text:
        if ord(char) in glyphs or char == "\n":
            out.append(char)
            continue
        substitute = SUBSTITUTES.get(char)
        if substitute is None:
            folded = unicodedata.normalize("NFKC", char)
            if folded != char and all(ord(c) in glyphs for c in folded):
                substitute = folded
        if substitute is None:
            # Kept as it is: a visible box tells the reader something is there; dropping it would not.
            if char not in _warned:
                _warned.add(char)
                log.warning("no glyph in %s for U+%04X %s", FONT_NAME, ord(char), unicodedata.name(char, "?"))
            substitute = char
        out.append(substitute)
    return "".join(out)
