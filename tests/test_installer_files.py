"""The installer's files say what issue 7 asks, checked without building anything (fast, any OS)."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import struct
import tomllib
import uuid
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

import desktop_app

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
ISS = INSTALLER / "machizukuri.iss"
SPEC = INSTALLER / "machizukuri.spec"
APP_NAME = "まちづくり推進経費 管理"


def pyproject_version() -> str:
    """The version the wheel gets: pyproject.toml points hatch at desktop_app/__init__.py."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        data = tomllib.load(f)
    assert data["project"]["dynamic"] == ["version"]
    assert data["tool"]["hatch"]["version"]["path"] == "desktop_app/__init__.py"
    return str(desktop_app.__version__)


def iss_sections() -> dict[str, list[str]]:
    """The .iss by section: its non-comment lines, the preprocessor lines under the key ''."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for raw in ISS.read_text(encoding="utf-8-sig").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        match = re.fullmatch(r"\[(\w+)\]", line)
        if match:
            current = match.group(1)
            sections.setdefault(current, [])
        else:
            sections[current].append(line)
    return sections


def iss_setup() -> dict[str, str]:
    return dict(line.split("=", 1) for line in iss_sections()["Setup"])


def iss_entries(section: str) -> list[dict[str, str]]:
    """Lines such as `Name: "x"; Filename: "y"; Tasks: z` as {"Name": "x", ...}."""
    entries = []
    for line in iss_sections().get(section, []):
        entry = {}
        for part in re.findall(r'(\w+):\s*("[^"]*"|[^;]+)', line):
            entry[part[0]] = part[1].strip().strip('"')
        entries.append(entry)
    return entries


def load_build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("machizukuri_installer_build", INSTALLER / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- Inno Setup script ---------------------------------------------------------------------------


def test_iss_is_utf8_with_bom_so_iscc_reads_the_japanese() -> None:
    assert ISS.read_bytes().startswith(b"\xef\xbb\xbf")


def test_iss_installs_per_user_without_admin() -> None:
    setup = iss_setup()
    assert setup["PrivilegesRequired"] == "lowest"
    # The folder README.md names; {userpf} would be the same on Windows but Wine cannot expand it.
    assert setup["DefaultDirName"] == r"{localappdata}\Programs\Machizukuri"
    assert setup["WizardStyle"] == "modern"
    assert setup["Compression"].startswith("lzma2")


def test_iss_has_a_stable_app_id() -> None:
    app_id = iss_setup()["AppId"]
    assert app_id.startswith("{{") and app_id.endswith("}")  # "{{" is Inno's escape for a literal brace
    uuid.UUID(app_id[2:-1])


def test_iss_takes_its_version_from_the_command_line() -> None:
    pre = iss_sections()[""]
    assert "#ifndef AppVersion" in pre
    setup = iss_setup()
    assert setup["AppVersion"] == "{#AppVersion}"
    assert setup["OutputBaseFilename"] == "machizukuri-setup-{#AppVersion}"


def test_iss_app_name_and_shortcuts() -> None:
    assert f'#define AppName "{APP_NAME}"' in iss_sections()[""]
    assert desktop_app.APP_NAME == APP_NAME
    assert iss_setup()["AppName"] == "{#AppName}"
    icons = {entry["Name"]: entry for entry in iss_entries("Icons")}
    assert set(icons) == {r"{autoprograms}\{#AppName}", r"{autodesktop}\{#AppName}"}
    for icon in icons.values():
        assert icon["Filename"] == r"{app}\{#AppExeName}"
    desktop = icons[r"{autodesktop}\{#AppName}"]
    assert desktop["Tasks"] == "desktopicon"
    (task,) = iss_entries("Tasks")
    assert task["Name"] == "desktopicon"
    assert "unchecked" not in task.get("Flags", "")  # offered checked


def test_iss_is_japanese_and_installs_the_bundle() -> None:
    (language,) = iss_entries("Languages")
    assert language["MessagesFile"] == r"compiler:Languages\Japanese.isl"
    (files,) = iss_entries("Files")
    assert files["Source"] == r"{#BundleDir}\*"
    assert "recursesubdirs" in files["Flags"]
    assert any("postinstall" in entry.get("Flags", "") for entry in iss_entries("Run"))


@pytest.mark.parametrize("section", ["UninstallDelete", "InstallDelete"])
def test_iss_never_deletes_the_users_data(section: str) -> None:
    entries = iss_entries(section)
    for entry in entries:
        assert entry["Name"] == "{app}" or entry["Name"].startswith("{app}\\"), entry
    text = " ".join(iss_sections().get(section, [])).lower()
    assert "localappdata" not in text
    assert "userappdata" not in text


# --- PyInstaller spec -----------------------------------------------------------------------------


def spec_filters(platform: str = "linux") -> dict[str, Any]:
    """The spec's file filters (`_keep` and what it uses), run here as they would run on `platform`."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    wanted = {"_UNUSED_QT_LIB", "_UNUSED_OTHER_LIB", "KEEP_QT_TRANSLATIONS", "IS_WIN", "IS_MAC"}

    def wanted_node(node: ast.stmt) -> bool:
        if isinstance(node, ast.Assign):
            return any(isinstance(t, ast.Name) and t.id in wanted for t in node.targets)
        if isinstance(node, ast.If):  # the per-OS choice of KEEP_PLUGINS
            return any(isinstance(n, ast.Name) and n.id == "KEEP_PLUGINS" for n in ast.walk(node))
        return isinstance(node, ast.FunctionDef) and node.name in {"_plugin_kept", "_keep"}

    body = [node for node in tree.body if wanted_node(node)]
    # A stand-in sys: the same answers whichever OS runs the tests.
    namespace: dict[str, Any] = {"re": re, "sys": SimpleNamespace(platform=platform), "os": os}
    exec(compile(ast.Module(body=body, type_ignores=[]), str(SPEC), "exec"), namespace)
    assert namespace["IS_WIN"] is (platform == "win32")
    return namespace


def test_spec_bundles_ui_db_and_resources_at_the_top() -> None:
    text = SPEC.read_text(encoding="utf-8")
    for folder in ("ui", "db", "resources"):
        assert f'(os.path.join(ROOT, "{folder}"), "{folder}")' in text


def test_spec_excludes_qtwebengine_and_other_unused_qt() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert '"QtWebEngineCore"' in text and '"QtWebEngineWidgets"' in text
    assert 'f"PySide6.{name}" for name in UNUSED_QT' in text
    keep = spec_filters()["_keep"]
    dropped = [
        "PySide6/Qt/lib/libQt6WebEngineCore.so.6",
        "PySide6/Qt6WebEngineCore.dll",
        "PySide6/QtWebEngineProcess.exe",
        "PySide6/Qt/lib/libQt6Quick.so.6",
        "PySide6/Qt6Qml.dll",
        "PySide6/Qt/lib/libQt6Multimedia.so.6",
        "PySide6/Qt/lib/QtWebEngineCore.framework/Versions/A/QtWebEngineCore",
        "PySide6/opengl32sw.dll",
        "PySide6/Qt/lib/libavcodec.so.61",
        "PySide6/Qt/plugins/sqldrivers/libqsqlite.so",
        "PySide6/Qt/plugins/platforms/libqwayland-egl.so",
        "PySide6/Qt/plugins/imageformats/libqwebp.so",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/Qt/translations/qtwebengine_ja.qm",
    ]
    kept = [
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6Pdf.so.6",
        "PySide6/Qt/lib/libQt6PdfWidgets.so.6",
        "PySide6/Qt/lib/libQt6UiTools.so.6",
        "PySide6/Qt/lib/libQt6PrintSupport.so.6",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt6Widgets.dll",
        "PySide6/QtPdfWidgets.abi3.so",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/imageformats/libqico.so",
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6/Qt/translations/qtbase_ja.qm",
        "resources/translations/qtbase_ja.qm",
        "resources/fonts/ipaexg.ttf",
        "resources/fonts/DejaVuSans.ttf",
        "ui/settings_dialog.ui",
    ]
    assert [dest for dest in dropped if keep((dest, "", "BINARY"))] == []
    assert [dest for dest in kept if not keep((dest, "", "BINARY"))] == []


def test_spec_keeps_the_windows_plugins_the_app_needs() -> None:
    keep = spec_filters("win32")["_keep"]
    kept = [
        r"PySide6\plugins\platforms\qwindows.dll",
        r"PySide6\plugins\styles\qmodernwindowsstyle.dll",
        r"PySide6\plugins\imageformats\qico.dll",
        r"PySide6\translations\qtbase_ja.qm",
        r"PySide6\Qt6Pdf.dll",
        r"PySide6\Qt6PrintSupport.dll",
    ]
    dropped = [
        r"PySide6\plugins\platforms\qdirect2d.dll",
        r"PySide6\plugins\tls\qschannelbackend.dll",
        r"PySide6\plugins\imageformats\qtiff.dll",
        r"PySide6\translations\qtbase_fr.qm",
        r"PySide6\opengl32sw.dll",
        r"PySide6\Qt6WebEngineCore.dll",
    ]
    assert [dest for dest in dropped if keep((dest, "", "BINARY"))] == []
    assert [dest for dest in kept if not keep((dest, "", "BINARY"))] == []


# --- build.py and the icon ------------------------------------------------------------------------


def test_build_reads_the_version_pyproject_has() -> None:
    build = load_build_module()
    version = pyproject_version()
    assert build.read_version() == version
    command = build.iscc_command(Path("ISCC.exe"), build.read_version())
    assert f"/DAppVersion={version}" in command
    assert command[-1] == str(ISS)
    # The frozen `--version` prints the package's version: it must be the one the setup is named after.
    assert desktop_app.__version__ == version


def test_app_icon_is_an_ico_with_a_256px_image() -> None:
    data = (ROOT / "resources" / "icons" / "app.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1) and count >= 1
    sizes = set()
    for i in range(count):
        width, height, _colors, _reserved, _planes, _bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * i
        )
        assert offset + length <= len(data)
        sizes.add((width or 256, height or 256))  # 0 in the directory means 256
    assert (256, 256) in sizes
    assert {(16, 16), (32, 32), (48, 48)} <= sizes


# --- dependencies ------------------------------------------------------------------------------------


def test_depends_on_the_qt_wheels_it_uses_not_the_pyside6_meta_package() -> None:
    # The meta package would install PySide6-Addons and QtWebEngine (~180 MB) on every office PC.
    with (ROOT / "pyproject.toml").open("rb") as f:
        names = [
            re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].lower() for dep in tomllib.load(f)["project"]["dependencies"]
        ]
    assert "pyside6-essentials" in names
    assert "pyside6-pdf" in names  # QtPdf/QtPdfWidgets: the print preview
    assert "pyside6" not in names
