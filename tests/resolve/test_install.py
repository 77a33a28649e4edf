"""install.py against fake home folders for each OS layout: what it puts where, that the installed menu
script finds its library, the Python check, and that uninstall leaves nothing behind."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenes import PLUGIN
from old_pythons import OLDEST_PYTHON

spec = importlib.util.spec_from_file_location("foley_install", PLUGIN / "install.py")
install = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install)

MAC = ("Library", "Application Support", "Blackmagic Design", "DaVinci Resolve", "Fusion")
MAS = ("Library", "Containers", "com.blackmagic-design.DaVinciResolveLite", "Data", "Library", "Application Support",
       "Fusion")


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def layouts(tmp: Path) -> dict:
    """(system, home, env, all_users, root) -> the Fusion folders it must serve."""
    home, root = tmp / "home", tmp / "root"
    appdata, programdata = tmp / "Users" / "ana" / "AppData" / "Roaming", tmp / "ProgramData"
    (home / "Library" / "Containers" / "com.blackmagic-design.DaVinciResolveLite" / "Data").mkdir(parents=True)
    (root / "opt" / "resolve").mkdir(parents=True)
    env = {"APPDATA": str(appdata), "PROGRAMDATA": str(programdata)}
    return {
        "linux": (("Linux", str(home), env, False, str(root)), [home / ".local" / "share" / "DaVinciResolve" / "Fusion"]),
        "linux all users": (("Linux", str(home), env, True, str(root)), [root / "opt" / "resolve" / "Fusion"]),
        "macos with app store build": (("Darwin", str(home), env, False, str(root)), [home.joinpath(*MAC), home.joinpath(*MAS)]),
        "macos all users": (("Darwin", str(home), env, True, str(root)), [root.joinpath(*MAC)]),
        "windows": (("Windows", str(home), env, False, str(root)),
                    [appdata / "Blackmagic Design" / "DaVinci Resolve" / "Support" / "Fusion"]),
        "windows all users": (("Windows", str(home), env, True, str(root)),
                              [programdata / "Blackmagic Design" / "DaVinci Resolve" / "Fusion"]),
    }


@pytest.mark.parametrize("layout", ["linux", "linux all users", "macos with app store build", "macos all users",
                                    "windows", "windows all users"])
def test_install_puts_scripts_and_library_in_place_and_uninstall_leaves_nothing(tmp_path, layout):
    args, fusion_folders = layouts(tmp_path)[layout]
    before = tree(tmp_path)
    targets = install.targets(*args)
    assert [Path(t.fusion) for t in targets] == fusion_folders
    for target in targets:
        made = install.install(target, {"server_url": "http://127.0.0.1:7999"})
        scripts = Path(target.fusion) / "Scripts" / "Utility"
        lib = Path(target.fusion) / "Modules" / "FoleyBridge"
        assert sorted(p.name for p in scripts.iterdir()) == ["Generate Foley.py", "Regenerate Foley.py"]
        assert f"LIB_DIR = {str(lib)!r}  # written by install.py" in (scripts / "Generate Foley.py").read_text()
        assert (lib / "foley_resolve" / "menu.py").is_file() and (lib / "foley_client" / "client.py").is_file()
        assert json.loads((lib / "config.json").read_text()) == {"server_url": "http://127.0.0.1:7999"}
        assert str(lib / "installed.json") in made and not list(lib.rglob("__pycache__"))
    for target in targets:
        install.uninstall(target)
    assert tree(tmp_path) == before


def test_the_installed_menu_script_runs_from_its_library_on_the_oldest_python(tmp_path):
    (target,) = install.targets("Linux", str(tmp_path / "home"), {}, False)
    install.install(target)
    script = Path(target.scripts) / "Generate Foley.py"
    python = OLDEST_PYTHON or sys.executable
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    done = subprocess.run([python, "-c", f"import runpy; g = runpy.run_path({str(script)!r}); "
                                         "import foley_resolve; print(foley_resolve.__file__)"],
                          capture_output=True, text=True, cwd=str(tmp_path), env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "no connection to DaVinci Resolve" in done.stdout and "Workspace > Scripts" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith(target.lib)
    install.uninstall(target)  # Python's __pycache__ from that run goes too
    assert not (tmp_path / "home" / ".local").exists()


def test_a_reinstall_keeps_the_users_settings(tmp_path):
    (target,) = install.targets("Linux", str(tmp_path), {}, False)
    install.install(target, {"output_dir": "/media/foley"})
    config = Path(target.lib) / "config.json"
    config.write_text(json.dumps({"output_dir": "/media/foley", "foley_clip_color": "Teal"}))
    install.install(target)
    assert json.loads(config.read_text()) == {"output_dir": "/media/foley", "foley_clip_color": "Teal"}


def test_the_command_line_installs_and_uninstalls_for_this_user(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path)}
    run = lambda *args: subprocess.run([sys.executable, str(PLUGIN / "install.py"), *args], capture_output=True,
                                       text=True, env=env, timeout=60)
    done = run("--server-url", "http://127.0.0.1:7866")
    assert "Generate Foley / Regenerate Foley installed" in done.stdout and "Python" in done.stdout
    assert done.returncode in (0, 2) and (tmp_path / ".local/share/DaVinciResolve/Fusion/Scripts/Utility").is_dir()
    gone = run("--uninstall")
    assert gone.returncode == 0 and "removed" in gone.stdout and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("system", ["Darwin", "Windows", "Linux"])
def test_the_python_check_finds_resolves_python_or_says_how_to_fix_it(tmp_path, system):
    root = tmp_path / "root"
    root.mkdir()
    ok, message = install.python_check(system, {"PATH": str(tmp_path / "empty")}, str(root))
    assert not ok
    assert {"Darwin": "launchctl setenv PYTHON3HOME", "Windows": "python.org",
            "Linux": "libpython3"}[system] in message
    if system == "Darwin":
        (root / "usr" / "local" / "bin").mkdir(parents=True)
        (root / "usr" / "local" / "bin" / "python3").write_text("")
        env = {}
    elif system == "Windows":
        folder = tmp_path / "Python312"
        folder.mkdir()
        (folder / "python312.dll").write_text("")
        env = {"PATH": str(folder)}
    else:
        (root / "usr" / "lib" / "x86_64-linux-gnu").mkdir(parents=True)
        (root / "usr" / "lib" / "x86_64-linux-gnu" / "libpython3.12.so.1.0").write_text("")
        env = {}
    ok, message = install.python_check(system, env, str(root))
    assert ok, message
