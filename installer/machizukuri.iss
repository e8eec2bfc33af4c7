; Inno Setup 6 script: the Windows setup program of まちづくり推進経費 管理 (GitHub issue 7).
;
; installer/build.py runs it after PyInstaller, with the version from pyproject.toml:
;   ISCC.exe /DAppVersion=1.0.0 /DBundleDir=<repo>\build\dist\machizukuri /O<repo>\build\installer machizukuri.iss
; and the result is build\installer\machizukuri-setup-<version>.exe.
;
; Per-user install, no administrator rights: the program goes to %LOCALAPPDATA%\Programs\Machizukuri.
; The user's data (database machizukuri.sqlite3, backups\, settings.json, logs\) lives elsewhere, in
; %LOCALAPPDATA%\Machizukuri, which this script never installs into nor deletes: uninstalling or
; upgrading keeps it.
;
; Saved as UTF-8 with a byte order mark so that ISCC reads the Japanese text as UTF-8.
; Needs Inno Setup 6.3 or newer (x64compatible); Japanese.isl ships with Inno Setup.

#ifndef AppVersion
  ; Only when compiled by hand without /DAppVersion=…; build.py always passes the real version.
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\build\dist\machizukuri"
#endif
#define AppName "まちづくり推進経費 管理"
#define AppExeName "machizukuri.exe"

[Setup]
; The AppId identifies the app across versions (upgrades, uninstall entry): never change it.
AppId={{DC8B57B1-085B-4561-AA0E-F1E7045E2194}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=熊本市
AppCopyright=熊本市
VersionInfoDescription={#AppName} セットアップ
VersionInfoProductName={#AppName}
PrivilegesRequired=lowest
; {localappdata}\Programs is the per-user Programs folder ({userpf}) on Windows; Wine cannot expand
; {userpf}, so this spelling lets installer/windows_check.sh install the real setup.
DefaultDirName={localappdata}\Programs\Machizukuri
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
OutputDir=..\build\installer
OutputBaseFilename=machizukuri-setup-{#AppVersion}
SetupIconFile=..\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
; Close a running copy (Restart Manager) so that its files can be replaced or removed.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[CustomMessages]
japanese.DataKept=データベースとバックアップは削除していません。次のフォルダーに残っています（不要になったら手作業で削除してください）:%n%n%1

[Tasks]
; Checked by default (no "unchecked" flag).
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the whole bundle, so that no library of an older version is left beside the new one.
; Only inside the install folder; the data folder is elsewhere and untouched.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The PyInstaller one-folder bundle: machizukuri.exe (window), machizukuri-cli.exe (command line), _internal\.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "{#AppName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Comment: "{#AppName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only the install folder ({app} = %LOCALAPPDATA%\Programs\Machizukuri) is cleaned up here.
; The user's database, backups, settings and logs live in %LOCALAPPDATA%\Machizukuri, outside {app}:
; they are deliberately NOT listed here, so uninstalling never deletes a ward's data.
Type: dirifempty; Name: "{app}"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  { Tell the person that the data stays (a silent uninstall, e.g. by IT, shows nothing). }
  if (CurUninstallStep = usPostUninstall) and (not UninstallSilent) then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [ExpandConstant('{localappdata}\Machizukuri')]),
      mbInformation, MB_OK);
end;
