"""Draw the app icon (a ledger sheet with a rising bar chart in the city's green) as PNG and ICO.

python installer/make_icon.py      # writes resources/icons/app-*.png and app.ico
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    sheet = QPainterPath()
    sheet.addRoundedRect(QRectF(28 * s, 16 * s, 200 * s, 224 * s), 22 * s, 22 * s)
    p.fillPath(sheet, QColor("#1f6f43"))
    p.fillRect(QRectF(48 * s, 40 * s, 160 * s, 176 * s), QColor("#ffffff"))
    if size >= 32:
        p.setPen(QPen(QColor("#c8d6cc"), max(1.0, 3 * s)))
        for y in (78, 116, 154):
            p.drawLine(int(56 * s), int(y * s), int(200 * s), int(y * s))
    for index, (height, colour) in enumerate(((60, "#4e79a7"), (96, "#59a14f"), (132, "#f28e2b"))):
        x = 66 + index * 46
        p.fillRect(QRectF(x * s, (200 - height) * s, 34 * s, height * s), QColor(colour))
    p.end()
    return image


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG-compressed image per size (the format Vista and later read)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    entries, offset = b"", 6 + 16 * len(pngs)
    for size, data in sorted(pngs.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(data for _, data in sorted(pngs.items()))


def main() -> None:
    QGuiApplication(sys.argv[:1])
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        draw(size).save(str(ICONS / f"app-{size}.png"))
    (ICONS / "app.ico").write_bytes(ico_bytes({size: (ICONS / f"app-{size}.png").read_bytes() for size in SIZES}))
    print(f"icons written to {ICONS}")


if __name__ == "__main__":
    main()
