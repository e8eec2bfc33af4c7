"""Build the one-folder app with PyInstaller and, on Windows with Inno Setup 6, the setup program.

python installer/build.py [--clean] [--no-setup]

The PyInstaller work folder is build/pyinstaller, the bundle build/dist/machizukuri/, and the setup
program (Windows) build/installer/machizukuri-setup-<version>.exe; build/ is git-ignored.
Run it with the Python of the project's virtual environment, which needs PyInstaller:
pip install -e '.[installer]'.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLER_DIR = ROOT / "installer"
SPEC = INSTALLER_DIR / "machizukuri.spec"
ISS = INSTALLER_DIR / "machizukuri.iss"
BUILD_DIR = ROOT / "build"
WORK_DIR = BUILD_DIR / "pyinstaller"
DIST_DIR = BUILD_DIR / "dist"
BUNDLE_DIR = DIST_DIR / "machizukuri"
SETUP_DIR = BUILD_DIR / "installer"
ISCC_DEFAULT_PATHS = (
    Path(r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe"),
    Path(r"C:\Program Files\Inno Setup 6\ISCC.exe"),
)


class BuildError(Exception):
    """A step failed; the message says which and what to do."""


def read_version(package_init: Path = ROOT / "desktop_app" / "__init__.py") -> str:
    """The app's version: desktop_app.__version__, which pyproject.toml also takes (one fact, one place)."""
    match = re.search(r'^__version__ = "([^"]+)"', package_init.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise BuildError(f"{package_init} に __version__ がありません。")
    return match.group(1)


def folder_size(folder: Path) -> int:
    """Bytes of all files under folder (links not followed)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def check_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        raise BuildError(
            f"PyInstaller is not installed in this Python ({sys.executable}).\n"
            "Install it into the project's virtual environment with:  pip install -e '.[installer]'\n"
            "(Windows: .venv\\Scripts\\pip install -e .[installer])"
        )


def run_pyinstaller(*, clean: bool) -> Path:
    if clean:
        for folder in (WORK_DIR, BUNDLE_DIR):
            if folder.exists():
                print(f"removing {folder}")
                shutil.rmtree(folder)
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--workpath",
        str(WORK_DIR),
        "--distpath",
        str(DIST_DIR),
    ]
    if clean:
        command.append("--clean")
    print("running:", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller failed (exit status {result.returncode}); see its messages above.")
    executable = BUNDLE_DIR / ("machizukuri.exe" if sys.platform == "win32" else "machizukuri")
    if not executable.is_file():
        raise BuildError(f"PyInstaller finished but {executable} is missing.")
    return BUNDLE_DIR


def find_iscc() -> Path | None:
    """Inno Setup 6's command-line compiler: on PATH, or where its installer puts it."""
    on_path = shutil.which("ISCC.exe") or shutil.which("iscc")
    if on_path:
        return Path(on_path)
    for candidate in ISCC_DEFAULT_PATHS:
        if candidate.is_file():
            return candidate
    local = os.environ.get("LOCALAPPDATA")  # Inno Setup installed "for me only"
    if local:
        candidate = Path(local) / "Programs" / "Inno Setup 6" / "ISCC.exe"
        if candidate.is_file():
            return candidate
    return None


def iscc_command(iscc: Path, version: str) -> list[str]:
    return [
        str(iscc),
        f"/DAppVersion={version}",
        f"/DBundleDir={BUNDLE_DIR}",
        f"/O{SETUP_DIR}",
        str(ISS),
    ]


def run_inno_setup(iscc: Path, version: str) -> Path:
    command = iscc_command(iscc, version)
    print("running:", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=INSTALLER_DIR, check=False)
    if result.returncode != 0:
        raise BuildError(f"Inno Setup (ISCC) failed (exit status {result.returncode}); see its messages above.")
    setup = SETUP_DIR / f"machizukuri-setup-{version}.exe"
    if not setup.is_file():
        raise BuildError(f"ISCC finished but {setup} is missing.")
    return setup


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the machizukuri bundle (and the Windows setup program).")
    parser.add_argument("--clean", action="store_true", help="start from scratch (PyInstaller cache and output)")
    parser.add_argument("--no-setup", action="store_true", help="on Windows, do not run Inno Setup")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        version = read_version()
        check_pyinstaller()
        print(f"building machizukuri {version} for {sys.platform} with {sys.executable}", flush=True)
        bundle = run_pyinstaller(clean=args.clean)
        size_mb = folder_size(bundle) / 1_000_000
        print(f"bundle: {bundle} ({size_mb:.1f} MB unpacked, built in {time.monotonic() - started:.0f} s)")
        if sys.platform == "win32" and not args.no_setup:
            iscc = find_iscc()
            if iscc is None:
                print(
                    "Inno Setup 6 (ISCC.exe) was not found, so no setup program was made.\n"
                    "Install it from https://jrsoftware.org/isdl.php and run this again."
                )
            else:
                setup = run_inno_setup(iscc, version)
                print(f"setup program: {setup} ({setup.stat().st_size / 1_000_000:.1f} MB)")
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
