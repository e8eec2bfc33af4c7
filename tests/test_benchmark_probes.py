"""The benchmark's probes still run against the app as it is (they measure; this only checks they work).

benchmarks/run.py is not part of CI (it takes ten minutes); when the command line changed, its
start-up probe failed for days without anyone seeing the window had become slow. This runs the
window probe on the small sample database, so a probe the app has outgrown fails here at once (the
start-up probe's command is tests/gui/test_run_options.py's last test).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_window_probe_switches_sheets_and_types_amounts_on_a_real_database(sample_db: Path, tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MACHIZUKURI_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "window_probe.py"),
            str(sample_db),
            "--switches",
            "3",
            "--edits",
            "3",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(found) >= {"switch_median", "edit_median", "peak_rss_mb"}
    assert found["switch_median"] > 0 and found["edit_median"] > 0
