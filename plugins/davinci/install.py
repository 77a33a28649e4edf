"""Install the DaVinci Resolve menu scripts of Foley Bridge (Workspace > Scripts > Generate Foley).

    python plugins/davinci/install.py [--all-users] [--uninstall]

Copies `Generate Foley.py` and `Regenerate Foley.py` into Resolve's Scripts/Utility folder (listed on
every page) and their library (foley_resolve, foley_client, config.json) into Fusion/Modules/FoleyBridge
beside it; the menu scripts are written with that folder's path. On macOS the Mac App Store build's
container is served too. Every file and folder made is listed in the library's installed.json, and
--uninstall removes exactly those. Then it checks that Resolve will find a Python, and says how
to fix it when not. Runs on the user's Python (3.6 and up), standard library only.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from glob import glob
from typing import Dict, List, NamedTuple, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MENU_SCRIPTS = ("Generate Foley.py", "Regenerate Foley.py")
PACKAGES = {"foley_resolve": os.path.join(HERE, "foley_resolve"),
            "foley_client": os.path.join(REPO, "plugins", "common", "foley_client")}
LIB_NAME = "FoleyBridge"
MANIFEST = "installed.json"
CONFIG = "config.json"
LIB_LINE = "LIB_DIR = None  # install.py writes the installed library folder here"
MAS_CONTAINER = ("Library", "Containers", "com.blackmagic-design.DaVinciResolveLite", "Data")
MAC_SUPPORT = ("Library", "Application Support", "Blackmagic Design", "DaVinci Resolve", "Fusion")


class Target(NamedTuple):
    """One Resolve install's Fusion folder: menu scripts go in Scripts/Utility, the library in Modules."""

    label: str
    fusion: str

    @property
    def scripts(self) -> str:
        return os.path.join(self.fusion, "Scripts", "Utility")

    @property
    def lib(self) -> str:
        return os.path.join(self.fusion, "Modules", LIB_NAME)


def targets(system: str, home: str, env: Dict[str, str], all_users: bool, root: str = os.sep) -> List[Target]:
    """Where Resolve looks for scripts on this OS (Blackmagic's README; %APPDATA% without its \\Roaming typo)."""
    if system == "Darwin":
        if all_users:
            return [Target("macOS, all users", os.path.join(root, *MAC_SUPPORT))]
        found = [Target("macOS", os.path.join(home, *MAC_SUPPORT))]
        container = os.path.join(home, *MAS_CONTAINER)
        if os.path.isdir(container):  # the sandboxed App Store build sees only its own container
            found.append(Target("macOS, Mac App Store build",
                                os.path.join(container, "Library", "Application Support", "Fusion")))
        return found
    if system == "Windows":
        key = "PROGRAMDATA" if all_users else "APPDATA"
        if not env.get(key):
            raise SystemExit("%{}% is not set; cannot find Resolve's Scripts folder".format(key))
        tail = ("Fusion",) if all_users else ("Support", "Fusion")
        return [Target("Windows" + (", all users" if all_users else ""),
                       os.path.join(env[key], "Blackmagic Design", "DaVinci Resolve", *tail))]
    if all_users:
        opt, home_install = os.path.join(root, "opt", "resolve"), os.path.join(root, "home", "resolve")
        base = home_install if os.path.isdir(home_install) and not os.path.isdir(opt) else opt
        return [Target("Linux, all users", os.path.join(base, "Fusion"))]
    return [Target("Linux", os.path.join(home, ".local", "share", "DaVinciResolve", "Fusion"))]


def _make_dirs(path: str, made: List[str]) -> None:
    """os.makedirs that remembers each folder it made, so uninstall removes exactly those."""
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for folder in reversed(missing):
        os.mkdir(folder)
        made.append(folder)


def _copy_package(source: str, dest: str, made: List[str]) -> None:
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        target = os.path.normpath(os.path.join(dest, os.path.relpath(folder, source)))
        _make_dirs(target, made)
        for name in sorted(files):
            if name.endswith(".py"):
                shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))
                made.append(os.path.join(target, name))


def install(target: Target, config: Optional[dict] = None) -> List[str]:
    """Copy the library and the menu scripts; the paths made (also written to the manifest)."""
    previous_config = _read_json(os.path.join(target.lib, CONFIG))
    if os.path.exists(os.path.join(target.lib, MANIFEST)):
        uninstall(target)  # a reinstall replaces the old copy, keeping the user's settings
    made: List[str] = []
    _make_dirs(target.lib, made)
    for name, source in PACKAGES.items():
        _copy_package(source, os.path.join(target.lib, name), made)
    settings = dict(previous_config or {})
    settings.update(config or {})
    _write(os.path.join(target.lib, CONFIG), json.dumps(settings, indent=2) + "\n", made)
    _make_dirs(target.scripts, made)
    for name in MENU_SCRIPTS:
        with open(os.path.join(HERE, name), encoding="utf-8") as handle:
            text = handle.read()
        if LIB_LINE not in text:
            raise SystemExit("{} has no `{}` line to fill".format(name, LIB_LINE))
        _write(os.path.join(target.scripts, name),
               text.replace(LIB_LINE, "LIB_DIR = {!r}  # written by install.py".format(target.lib)), made)
    manifest = os.path.join(target.lib, MANIFEST)
    made.append(manifest)
    _write(manifest, json.dumps({"paths": made}, indent=1) + "\n", [])
    return made


def uninstall(target: Target) -> List[str]:
    """Remove what the manifest lists (files, then the folders install made, if empty); the paths removed."""
    listed = (_read_json(os.path.join(target.lib, MANIFEST)) or {}).get("paths", [])
    removed = []
    for path in sorted(listed, key=len, reverse=True):  # children before their folders
        if os.path.isfile(path) or os.path.islink(path):
            os.remove(path)
            removed.append(path)
        elif os.path.isdir(path):
            shutil.rmtree(os.path.join(path, "__pycache__"), ignore_errors=True)  # Python's own, made on import
            if not os.listdir(path):
                os.rmdir(path)
                removed.append(path)
    return removed


def _write(path: str, text: str, made: List[str]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    made.append(path)


def _read_json(path: str) -> Optional[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def python_check(system: str, env: Dict[str, str], root: str = os.sep) -> Tuple[bool, str]:
    """(found, what to tell the user): will Resolve find a 64-bit Python 3 to run the scripts?"""
    if system == "Darwin":
        home = env.get("PYTHON3HOME")
        if home and glob(os.path.join(home, "bin", "python3*")):
            return True, "Resolve will use the Python in PYTHON3HOME ({})".format(home)
        local = os.path.join(root, "usr", "local", "bin", "python3")
        if os.path.exists(local):
            return True, "Resolve will use {}".format("/usr/local/bin/python3")
        return False, ("Resolve finds Python only at /usr/local/bin/python3 or in PYTHON3HOME (Homebrew, pyenv and "
                       "conda Pythons are not found otherwise). Install Python 3 from python.org (it links "
                       "/usr/local/bin/python3), or run `launchctl setenv PYTHON3HOME \"$(python3 -c 'import sys; "
                       "print(sys.base_prefix)')\"`, then restart Resolve")
    if system == "Windows":
        folders = [p for p in env.get("PATH", "").split(os.pathsep) if p]
        for base in (env.get("LOCALAPPDATA"), env.get("PROGRAMFILES")):
            if base:
                folders += glob(os.path.join(base, "Programs", "Python", "Python3*")) + glob(os.path.join(base, "Python3*"))
        dlls = [d for folder in folders for d in glob(os.path.join(folder, "python3*.dll"))]
        if dlls:
            return True, "Resolve will find Python at {}".format(os.path.dirname(dlls[0]))
        return False, ("no Python 3 found for Resolve: install the 64-bit Python 3 from python.org and tick \"Add "
                       "python.exe to PATH\"; with several Pythons installed set PYTHONHOME to the one Resolve "
                       "should use, then restart Resolve")
    bundled = os.path.join(root, "opt", "resolve", "ResolvePython")
    if os.path.isdir(bundled):
        return True, "Resolve will use its own Python ({})".format("/opt/resolve/ResolvePython")
    libraries = [lib for folder in ("usr/lib", "usr/lib64", "usr/lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu",
                                    "usr/local/lib")
                 for lib in glob(os.path.join(root, folder, "libpython3*.so*"))]
    if libraries:
        return True, "Resolve will find Python through {}".format(os.path.basename(sorted(libraries)[-1]))
    return False, ("no libpython3 found for Resolve: install your distribution's shared Python library (Debian and "
                   "Ubuntu: libpython3-dev; Fedora: python3-libs), then restart Resolve")


def _launchctl_python3home() -> Optional[str]:
    """What GUI apps on macOS see as PYTHON3HOME (a shell's own export does not reach Resolve)."""
    try:
        value = subprocess.run(["launchctl", "getenv", "PYTHON3HOME"], stdout=subprocess.PIPE,
                               universal_newlines=True, check=False).stdout.strip()
    except OSError:
        return None
    return value or None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Install Foley Bridge's DaVinci Resolve menu scripts.")
    parser.add_argument("--all-users", action="store_true", help="the machine-wide Scripts folder (needs admin rights)")
    parser.add_argument("--uninstall", action="store_true", help="remove what an earlier install put there")
    parser.add_argument("--server-url", help="the Foley server's address, kept in the installed config")
    parser.add_argument("--output-dir", help="where the WAVs go (default: ~/Foley Bridge/<project>/<timeline>)")
    parser.add_argument("--root", default=os.sep, help=argparse.SUPPRESS)  # a staging root for packagers and tests
    args = parser.parse_args(argv)
    system = platform.system()
    env = dict(os.environ)
    if system == "Darwin" and args.root == os.sep:
        env["PYTHON3HOME"] = _launchctl_python3home() or ""
    found = targets(system, os.path.expanduser("~"), env, args.all_users, args.root)
    for target in found:
        if args.uninstall:
            removed = uninstall(target)
            print("{}: removed {} file(s) and folder(s) from {}".format(target.label, len(removed), target.fusion)
                  if removed else "{}: nothing of Foley Bridge in {}".format(target.label, target.fusion))
            continue
        config = {key: value for key, value in (("server_url", args.server_url), ("output_dir", args.output_dir)) if value}
        try:
            install(target, config)
        except OSError as exc:
            print("{}: cannot write {} ({}){}".format(target.label, exc.filename or target.fusion, exc.strerror or exc,
                                                    "; run as administrator / with sudo" if args.all_users else ""))
            return 1
        print("{}: Workspace > Scripts > Generate Foley / Regenerate Foley installed in {}".format(target.label, target.scripts))
        print("  library and settings: {}".format(os.path.join(target.lib, CONFIG)))
    if args.uninstall:
        return 0
    ok, message = python_check(system, env, args.root)
    print(("Python: " if ok else "Python NOT found: ") + message)
    print("Restart Resolve to see the scripts. DaVinci Resolve (free) 21.1 and later runs no Python scripts: use the "
          "file round trip in the README there.")
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
