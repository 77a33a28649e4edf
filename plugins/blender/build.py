"""Build the installable Blender extension: `python plugins/blender/build.py` -> dist/foley_bridge-<version>.zip.

The zip holds the add-on, copies of the thin client (plugins/common/foley_client) and of
foley_otio under `vendor/` (copied here, never edited there), and wheels of what they import
(websockets, opentimelineio), listed in the manifest so Blender installs them.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import tomllib

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ADDON = HERE / "foley_bridge"
VENDORED = {"foley_client": REPO / "plugins" / "common" / "foley_client",
            "foley_otio": REPO / "otio_adapters" / "foley_otio"}
WHEELS = ("websockets", "opentimelineio")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "adapters")  # OTIO plugins are for the server side


def download_wheels(folder: Path, platforms: list[str], python: str) -> list[Path]:
    """Binary wheels only (Blender installs wheels, it builds nothing)."""
    for platform in platforms or [None]:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--no-deps",
                   "--dest", str(folder), *WHEELS]
        if platform:
            command += ["--platform", platform, "--python-version", python]
        subprocess.run(command, check=True)
    return sorted(folder.glob("*.whl"))


def build(out_dir: Path, platforms: list[str], python: str = "3.11") -> Path:
    manifest_text = (ADDON / "blender_manifest.toml").read_text()
    version = tomllib.loads(manifest_text)["version"]
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp) / "foley_bridge"
        shutil.copytree(ADDON, staging, ignore=IGNORE)
        vendor = staging / "vendor"
        vendor.mkdir()
        (vendor / "__init__.py").write_text('"""Copies made by plugins/blender/build.py; edit the originals."""\n')
        for name, source in VENDORED.items():
            shutil.copytree(source, vendor / name, ignore=IGNORE)
        wheels = download_wheels(staging / "wheels", platforms, python)
        listed = ", ".join(f'"./wheels/{w.name}"' for w in wheels)
        manifest = re.sub(r"^wheels = \[\]$", f"wheels = [{listed}]", manifest_text, flags=re.M)
        if manifest == manifest_text:
            raise SystemExit("blender_manifest.toml has no `wheels = []` line to fill")
        (staging / "blender_manifest.toml").write_text(manifest)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"foley_bridge-{version}.zip"
        partial = target.with_suffix(".zip.partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(staging.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(staging).as_posix())
        partial.replace(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    parser.add_argument("--platform", action="append", default=[],
                        help="pip platform tag for more wheels, e.g. macosx_11_0_arm64, win_amd64 (default: this machine)")
    parser.add_argument("--python-version", default="3.11", help="Blender 4.2-5.0 bundle Python 3.11")
    args = parser.parse_args()
    print(build(args.out, args.platform, args.python_version))


if __name__ == "__main__":
    main()
