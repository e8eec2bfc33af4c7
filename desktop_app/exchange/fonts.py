"""The bundled fonts for reportlab: IPAexGothic, DejaVu Sans for the symbols it lacks, and what neither has."""

from __future__ import annotations

import logging
import threading
import unicodedata
from typing import Final

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from desktop_app.exchange.errors import ExchangeError
from desktop_app.paths import data_path

log = logging.getLogger("machizukuri.exchange.fonts")

FONT_NAME: Final = "IPAexGothic"
FONT_FILE: Final = ("resources", "fonts", "ipaexg.ttf")
# Symbols the city's documents use that IPAexGothic has no glyph for (西区's 「開催予定➤5月へ延期」,
# ✔, ☑, ►, ⚠) print in DejaVu Sans rather than as a look-alike or a box; the window uses it the same way.
FALLBACK_NAME: Final = "DejaVuSans"
FALLBACK_FILE: Final = ("resources", "fonts", "DejaVuSans.ttf")

_lock = threading.Lock()
_registered: TTFont | None = None
_fallback: TTFont | None = None
_from_fallback: frozenset[int] | None = None  # what is drawn in the fallback, gathered once
_printable: frozenset[int] | None = None  # what either font draws
_warned: set[str] = set()


def _load(name: str, parts: tuple[str, ...]) -> TTFont:
    path = data_path(*parts)
    try:
        font = TTFont(name, str(path))
    except (OSError, TTFError) as exc:
        # A damaged or missing install: say which file, so support knows to reinstall.
        raise ExchangeError(f"PDF用のフォント（{path}）を読めません。") from exc
    pdfmetrics.registerFont(font)
    return font


def register_font() -> str:
    """Register IPAexGothic and the fallback with reportlab (once per process); the name to draw with.

    Parsing the 6 MB font's tables takes about a tenth of a second, so it is done once and kept;
    reportlab embeds only the glyphs a document uses (a subset), which keeps PDFs small while the
    text stays searchable and copyable. A PDF without symbols embeds nothing of the fallback.
    """
    global _registered, _fallback
    with _lock:  # reportlab's font registry is global: two threads must never both parse the font
        if _registered is None:
            _registered = _load(FONT_NAME, FONT_FILE)
        if _fallback is None:
            _fallback = _load(FALLBACK_NAME, FALLBACK_FILE)
        return FONT_NAME


def _font() -> TTFont:
    register_font()
    assert _registered is not None
    return _registered


def _fallback_font() -> TTFont:
    register_font()
    assert _fallback is not None
    return _fallback


def char_widths() -> tuple[dict[int, float], float]:
    """Advance widths per code point as printed (in IPAexGothic, else in the fallback), in 1/1000 em,
    and the width of anything else."""
    face = _font().face
    fallback = _fallback_font().face.charWidths
    widths = {code: fallback[code] for code in _fallback_codes() if code in fallback}
    widths.update(face.charWidths)
    return widths, float(face.defaultWidth)


def font_metrics() -> tuple[float, float]:
    """Ascent and descent (negative) of the font in 1/1000 em."""
    face = _font().face
    return float(face.ascent), float(face.descent)


def has_glyph(char: str) -> bool:
    """Whether IPAexGothic itself has the character."""
    return ord(char) in _font().face.charToGlyph


def font_for(char: str) -> str | None:
    """The font a character is drawn in: IPAexGothic, else the fallback, else None (neither has it)."""
    code = ord(char)
    if code in _font().face.charToGlyph:
        return FONT_NAME
    if code in _fallback_codes():
        return FALLBACK_NAME
    return None


def font_runs(text: str) -> list[tuple[str, str]]:
    """The text cut into (font name, run) pieces to draw one after the other; printable() text only.

    Line breaks and other characters of neither font stay with the run around them (IPAexGothic's).
    """
    fallback = _fallback_codes()
    runs: list[tuple[str, str]] = []
    for char in text:
        font = FALLBACK_NAME if ord(char) in fallback else FONT_NAME
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _fallback_codes() -> frozenset[int]:
    """The code points drawn in the fallback: those IPAexGothic lacks, except invisible ones.

    DejaVu Sans maps variation selectors, joiners and bidi controls too; they stay dropped (an IVS
    leaves its base character in the usual form) rather than go into the text as stray marks.
    """
    global _from_fallback
    if _from_fallback is None:
        main = _font().face.charToGlyph
        _from_fallback = frozenset(
            code for code in _fallback_font().face.charToGlyph if code not in main and not _invisible(chr(code))
        )
    return _from_fallback


def _glyphs() -> frozenset[int]:
    """Every code point that prints as written, in either font."""
    global _printable
    if _printable is None:
        _printable = frozenset(_font().face.charToGlyph) | _fallback_codes()
    return _printable


# Printed where neither font has a glyph and there is no compatibility form: the mark Japanese typesetting uses for a
# missing character (下駄記号). Unlike reportlab's empty .notdef box it is visible on paper, reads
# the same in the PDF's text layer, and the user is told beforehand which characters it stands for.
MISSING_MARK: Final = "〓"


def _invisible(char: str) -> bool:
    """A character that only modifies its neighbours (a variation selector, a joiner, a bidi mark)."""
    code = ord(char)
    return (
        0xFE00 <= code <= 0xFE0F  # variation selectors (emoji / text presentation)
        or 0xE0100 <= code <= 0xE01EF  # ideographic variation selectors (IVS): 葛󠄀
        or unicodedata.category(char) in ("Cf", "Cc")
    )


def _replacement(char: str, glyphs: frozenset[int]) -> str:
    """What a character neither font has is printed as: its compatibility form, a dropped modifier, or 〓."""
    folded = unicodedata.normalize("NFKC", char)
    if folded != char and folded and all(ord(c) in glyphs for c in folded):
        return folded
    if char == "\t":
        return " "
    if _invisible(char):
        # The base character before an IVS prints in its usual form; a joiner has nothing to show.
        return ""
    if char not in _warned:
        _warned.add(char)
        log.warning(
            "no glyph in %s or %s for U+%04X %s", FONT_NAME, FALLBACK_NAME, ord(char), unicodedata.name(char, "?")
        )
    return MISSING_MARK


def printable(text: str) -> str:
    """The text with every character neither font has replaced by one they have, or by 〓."""
    glyphs = _glyphs()
    if all(ord(char) in glyphs or char == "\n" for char in text):
        return text
    return "".join(char if ord(char) in glyphs or char == "\n" else _replacement(char, glyphs) for char in text)


def missing_characters(text: str) -> list[str]:
    """The characters of `text` that will not print as written (〓, or a variant form lost), in order.

    Characters of the fallback font (➤) and plain controls are not listed: they print as written.
    """
    glyphs = _glyphs()
    found: list[str] = []
    for char in text:
        if ord(char) in glyphs or char in found or char in "\n\t":
            continue
        replacement = _replacement(char, glyphs)
        if replacement == MISSING_MARK or (replacement == "" and unicodedata.category(char) not in ("Cf", "Cc")):
            found.append(char)
    return found


def shown_character(char: str) -> str:
    """A character as a message lists it: itself, or its code when it is invisible (an IVS)."""
    # A lone surrogate cannot even be written to a console or a log: named by its code too.
    return f"U+{ord(char):04X}" if _invisible(char) or unicodedata.category(char) == "Cs" else char


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF written as UTF-16 surrogate pairs.

    reportlab writes `<29E3D>` for 𩸽 (which IPAexGothic has): an odd-length hex string that PDF
    readers reject, so the page's text could not be searched or copied at all (issue 11, item 18).
    """
    entries = [
        f"<{i:02X}> <{chr(code).encode('utf-16-be', 'surrogatepass').hex().upper()}>" for i, code in enumerate(subset)
    ]
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *entries,
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap
