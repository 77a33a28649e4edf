"""The extension zip: built by plugins/blender/build.py, installed into a fresh Blender, enabled, working."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from conftest import REPO

INSTALL = r"""
import sys, bpy
bpy.ops.extensions.package_install_files(repo="user_default", filepath=sys.argv[1], enable_on_install=True)
import addon_utils
enabled = [m.__name__ for m in addon_utils.modules() if addon_utils.check(m.__name__)[1]]
module = sys.modules["bl_ext.user_default.foley_bridge"]
from bl_ext.user_default.foley_bridge import deps
print("ENABLED", [n for n in enabled if n.endswith("foley_bridge")])
print("OPERATOR", hasattr(bpy.ops.foley, "generate"), hasattr(bpy.types, "SEQUENCER_PT_foley"))
print("VENDORED", deps.FoleyClient.__module__, deps.blender_vse.__name__)
"""


def test_the_zip_holds_manifest_code_client_and_wheels_and_installs_into_a_fresh_blender(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "plugins" / "blender" / "build.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    archive = tmp_path / "foley_bridge-0.1.0.zip"
    names = zipfile.ZipFile(archive).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names and "jobs.py" in names
    assert "vendor/foley_client/client.py" in names and "vendor/foley_otio/blender_vse.py" in names
    wheels = [n for n in names if n.startswith("wheels/") and n.endswith(".whl")]
    assert any("websockets" in w for w in wheels) and any("opentimelineio" in w for w in wheels)
    manifest = zipfile.ZipFile(archive).read("blender_manifest.toml").decode()
    assert all(f'"./{w}"' in manifest for w in wheels)

    home = tmp_path / "home"  # a fresh Blender: its own user folders
    env = {**os.environ, "HOME": str(home), "BLENDER_USER_RESOURCES": str(home / "blender")}
    run = subprocess.run([sys.executable, "-c", INSTALL, str(archive)], capture_output=True, text=True, env=env,
                         timeout=300)
    out = run.stdout
    assert run.returncode == 0, run.stderr[-3000:]
    assert "ENABLED ['bl_ext.user_default.foley_bridge']" in out
    assert "OPERATOR True True" in out
    assert "VENDORED bl_ext.user_default.foley_bridge.vendor.foley_client.client" in out
    # Blender unpacked the bundled wheels into the fresh user folder's extension site-packages.
    installed = {p.name for p in home.rglob("site-packages/*")}
    assert {"websockets", "opentimelineio"} <= installed, sorted(installed)
