"""The window shows 西区's ➤ even on a PC whose fonts lack it: the bundled symbol font backs the Japanese one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from desktop_app.gui.app import install_japanese

app = QApplication([])
if sys.argv[1] == "install":
    install_japanese(app)
metrics = QFontMetrics(app.font())
print(app.font().families(), metrics.inFontUcs4(0x27A4), metrics.inFontUcs4(ord("予")))
"""


def _probe(tmp_path: Path, mode: str) -> str:
    # A PC without any font at all: fontconfig sees none, so only the bundled fonts can draw.
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_window_font_draws_the_arrow_without_any_system_font(tmp_path: Path) -> None:
    assert _probe(tmp_path, "install") == "['IPAexGothic', 'DejaVu Sans'] True True"
    # Without the app's fonts nothing draws ➤ or 予 here: the check above is not the system's doing.
    assert _probe(tmp_path, "bare").endswith("False False")
