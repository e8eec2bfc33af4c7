#!/usr/bin/env bash
# CI: build the Linux bundle with PyInstaller, then run the frozen app headless and check what it makes.
#
#   installer/ci_bundle.sh [PYTHON | VENV_DIR]
#
# The Python (or virtual environment) comes from the argument, else $BUNDLE_PYTHON, else .venv/bin/python.
# It needs the app installed with the test extras (pypdf, openpyxl); PyInstaller is installed into it
# here if it is missing (pip install -e '.[installer]').
# $BUNDLE_MAX_MB (default 160) is the size budget of the unpacked bundle; $BUNDLE_KEEP=DIR keeps the
# outputs (PDF, xlsx, screenshots) in DIR for a look. Exit status 0 only if every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${1:-${BUNDLE_PYTHON:-.venv/bin/python}}"
if [[ -d "$PY" ]]; then
    PY="$PY/bin/python"
fi
MAX_MB="${BUNDLE_MAX_MB:-160}"
BUNDLE="build/dist/machizukuri"
EXE="$BUNDLE/machizukuri"

CURRENT_STEP="start"
SUMMARY=()
fail() {
    echo "ci_bundle: FAILED at '$CURRENT_STEP': $*" >&2
    exit 1
}
trap 'echo "ci_bundle: FAILED at step: $CURRENT_STEP (line $LINENO, exit status $?)" >&2' ERR

now_ms() { date +%s%3N; }
STEP_START=0
begin() {
    CURRENT_STEP="$1"
    STEP_START=$(now_ms)
    echo "== $1"
}
done_step() {
    local ms=$(($(now_ms) - STEP_START))
    local line
    line=$(printf '%-38s %7.1f s' "$CURRENT_STEP" "$(echo "$ms" | awk '{print $1 / 1000}')")
    SUMMARY+=("$line")
    echo "   ok ($(echo "$ms" | awk '{printf "%.1f", $1 / 1000}') s)"
}
ALL_START=$(now_ms)

[[ -x "$PY" ]] || fail "no Python at '$PY' (give a venv's python as the argument or in BUNDLE_PYTHON)"
VERSION=$("$PY" -c 'import desktop_app; print(desktop_app.__version__)') ||
    fail "could not read the version from desktop_app/__init__.py"

begin "PyInstaller present"
if ! "$PY" -c 'import PyInstaller' 2>/dev/null; then
    echo "   installing PyInstaller: $PY -m pip install -e '.[installer]'"
    "$PY" -m pip install --quiet -e '.[installer]' || fail "pip install -e '.[installer]' failed"
fi
"$PY" -c 'import pypdf, openpyxl' 2>/dev/null ||
    fail "$PY needs pypdf and openpyxl for the checks: $PY -m pip install -e '.[test]'"
done_step

begin "build (installer/build.py)"
"$PY" installer/build.py || fail "installer/build.py failed"
[[ -x "$EXE" ]] || fail "the build made no executable at $EXE"
done_step

begin "bundle contents and size"
SIZE_BYTES=$(find "$BUNDLE" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
SIZE_MB=$(echo "$SIZE_BYTES" | awk '{printf "%.1f", $1 / 1000000}')
echo "   bundle: $BUNDLE, $SIZE_MB MB unpacked, $(find "$BUNDLE" -type f | wc -l) files; the biggest:"
find "$BUNDLE" -type f -printf '%s %P\n' | sort -rn | awk 'NR <= 15 {printf "   %8.1f MB  %s\n", $1 / 1000000, $2}'
awk -v s="$SIZE_MB" -v m="$MAX_MB" 'BEGIN {exit !(s <= m)}' ||
    fail "the bundle is $SIZE_MB MB, over the budget of $MAX_MB MB (BUNDLE_MAX_MB)"
UNWANTED=$(find "$BUNDLE" \( -iname '*WebEngine*' -o -iname '*Qt6Quick*' -o -iname '*Qt6Qml*' -o -iname '*tkinter*' \
    -o -iname '*Qt6Multimedia*' -o -iname 'libav*' -o -path '*/plugins/sqldrivers/*' \) -print | awk 'NR <= 5')
[[ -z "$UNWANTED" ]] || fail "the bundle carries Qt parts the app does not use: $UNWANTED"
for data in ui/settings_dialog.ui db/0001_initial.sql resources/fonts/ipaexg.ttf resources/fonts/DejaVuSans.ttf \
    resources/fonts/DejaVu_License.txt resources/sample/2020_higashi.json \
    resources/translations/qtbase_ja.qm; do
    [[ -f "$BUNDLE/_internal/$data" ]] || fail "$data is missing from the bundle"
done
done_step

# What the runs below never import (print preview, dialogs, import, consolidation) must still be inside.
begin "bundle has all modules and bindings"
"$PY" - "$EXE" <<'PYCHECK' || fail "modules of the app are missing from the bundle"
import pkgutil
import sys

import desktop_app
from PyInstaller.archive.readers import CArchiveReader

bundled = set(CArchiveReader(sys.argv[1]).open_embedded_archive("PYZ.pyz").toc)
wanted = {m.name for m in pkgutil.walk_packages(desktop_app.__path__, "desktop_app.")} - {"desktop_app.__main__"}
wanted |= {"openpyxl", "reportlab.pdfgen.canvas", "reportlab.pdfbase.ttfonts", "sqlite_utils", "email.policy"}
missing = sorted(wanted - bundled)
assert not missing, f"not in the bundle: {', '.join(missing)}"
print(f"   {len(wanted)} modules of the app and its libraries are in the bundle")
PYCHECK
for binding in QtCore QtGui QtWidgets QtPrintSupport QtPdf QtPdfWidgets QtUiTools; do
    SO="$BUNDLE/_internal/PySide6/$binding.abi3.so"
    [[ -f "$SO" ]] || fail "PySide6.$binding is missing from the bundle"
    # Every library it links must be in the bundle (or the system's base libraries).
    NOT_FOUND=$(LD_LIBRARY_PATH="$BUNDLE/_internal" ldd "$SO" | grep 'not found' || true)
    [[ -z "$NOT_FOUND" ]] || fail "PySide6.$binding cannot load in the bundle: $NOT_FOUND"
done
done_step

T=$(mktemp -d "${TMPDIR:-/tmp}/machizukuri-ci-bundle.XXXXXX")
cleanup() {
    if [[ -n "${BUNDLE_KEEP:-}" ]]; then
        mkdir -p "$BUNDLE_KEEP" && cp -r "$T"/*.pdf "$T"/*.xlsx "$T"/*.png "$BUNDLE_KEEP"/ 2>/dev/null || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT
export QT_QPA_PLATFORM=offscreen
export MACHIZUKURI_DATA_DIR="$T/data"
unset MACHIZUKURI_DB
DB="$T/db/machizukuri.sqlite3"
run_app() { "$EXE" --db "$DB" "$@"; }

begin "frozen --version"
OUT=$("$EXE" --version) || fail "machizukuri --version exited with an error"
[[ "$OUT" == "machizukuri $VERSION" ]] || fail "--version printed '$OUT', expected 'machizukuri $VERSION'"
echo "   $OUT"
done_step

begin "frozen init --samples, then list"
# A database named with --db is never made by itself (issue 13); init makes it, with the samples.
run_app list >/dev/null 2>&1 && fail "list on a named database that does not exist did not refuse"
[[ ! -e "$DB" ]] || fail "list made the named database $DB instead of refusing"
mkdir -p "$(dirname "$DB")"
run_app init --samples >/dev/null || fail "machizukuri init --samples exited with an error"
OUT=$(run_app list) || fail "machizukuri list exited with an error"
echo "$OUT" | sed 's/^/   /'
N=$(echo "$OUT" | grep -c '（2020）' || true)
[[ "$N" == 5 ]] || fail "list shows $N sheets of FY2020, expected the 5 bundled ones"
[[ "$OUT" == *'5シート'* ]] || fail "list does not end with the count of 5 sheets"
done_step

begin "frozen export pdf"
run_app export pdf --ward 東区 --year 2020 -o "$T/higashi.pdf" || fail "export pdf exited with an error"
"$PY" - "$T/higashi.pdf" <<'PYCHECK' || fail "the exported PDF is not a one-page PDF of 東区"
import sys

from pypdf import PdfReader

path = sys.argv[1]
with open(path, "rb") as f:
    assert f.read(5) == b"%PDF-", "does not start with %PDF-"
reader = PdfReader(path)
assert len(reader.pages) == 1, f"{len(reader.pages)} pages"
text = reader.pages[0].extract_text()
assert "東区" in text, "東区 is not in the text"
print(f"   1 page, {len(text)} characters of text")
PYCHECK
done_step

begin "frozen export xlsx"
if "$PY" -c 'import desktop_app.exchange.xlsx_export' 2>/dev/null; then
    run_app export xlsx --ward 東区 --year 2020 -o "$T/higashi.xlsx" || fail "export xlsx exited with an error"
    "$PY" - "$T/higashi.xlsx" <<'PYCHECK' || fail "the exported xlsx is not a workbook with 東区 in it"
import sys
import zipfile

from openpyxl import load_workbook

path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    assert "xl/workbook.xml" in z.namelist(), "no xl/workbook.xml"
book = load_workbook(path)
found = any("東区" in ws.title for ws in book.worksheets) or any(
    isinstance(value, str) and "東区" in value
    for ws in book.worksheets
    for row in ws.iter_rows(values_only=True)
    for value in row
)
assert found, "東区 appears nowhere in the workbook"
print(f"   sheets: {', '.join(book.sheetnames)}")
PYCHECK
else
    echo "   skipped: desktop_app.exchange.xlsx_export is not importable in $PY yet"
fi
done_step

begin "frozen user error (no traceback)"
if ERR=$(run_app export pdf --ward 存在しない区 --year 2020 -o "$T/none.pdf" 2>&1 >/dev/null); then
    STATUS=0
else
    STATUS=$?
fi
[[ "$STATUS" == 1 ]] || fail "an unknown ward gave exit status $STATUS, expected 1"
[[ -n "$ERR" && "$ERR" != *Traceback* ]] || fail "an unknown ward gave no one-line message, or a traceback: $ERR"
echo "   $ERR"
done_step

begin "frozen gui --screenshot"
run_app gui --screenshot "$T/shot.png" || fail "gui --screenshot exited with an error"
[[ -f "$T/shot.png" ]] || fail "no screenshot was written"
SHOT=$(stat -c %s "$T/shot.png")
[[ "$SHOT" -gt 20000 ]] || fail "the screenshot is only $SHOT bytes (expected > 20 KB)"
[[ "$(od -An -tx1 -N8 "$T/shot.png" | tr -d ' \n')" == 89504e470d0a1a0a ]] || fail "the screenshot is not a PNG"
echo "   $SHOT bytes"
done_step

# A PC without any Japanese font: fontconfig sees no fonts at all, so the window must use the bundled one.
begin "frozen screenshot, bundled font only"
mkdir -p "$T/fc-cache"
cat >"$T/fonts.conf" <<FONTS
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>$T/fc-cache</cachedir></fontconfig>
FONTS
FONTCONFIG_FILE="$T/fonts.conf" run_app gui --screenshot "$T/shot-bundled-font.png" ||
    fail "gui --screenshot without system fonts exited with an error"
SHOT=$(stat -c %s "$T/shot-bundled-font.png" 2>/dev/null || echo 0)
[[ "$SHOT" -gt 20000 ]] || fail "the screenshot without system fonts is only $SHOT bytes (expected > 20 KB)"
echo "   $SHOT bytes"
done_step

CURRENT_STEP="summary"
TOTAL=$(($(now_ms) - ALL_START))
echo
echo "ci_bundle: all checks passed. machizukuri $VERSION, bundle $SIZE_MB MB ($BUNDLE)"
printf '   %s\n' "${SUMMARY[@]}"
printf '   %-38s %7.1f s\n' "total" "$(echo "$TOTAL" | awk '{print $1 / 1000}')"
