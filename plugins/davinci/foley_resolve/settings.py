"""Where the plugin's settings come from: the environment, else the installed config, else defaults."""

import json
import os
import re
from typing import Optional

CONFIG_NAME = "config.json"
DEFAULTS = {
    "server_url": None,  # None: FOLEY_SERVER_URL, else http://127.0.0.1:7865
    "output_dir": None,  # None: FOLEY_OUTPUT_DIR, else ~/Foley Bridge/<project>/<timeline>/
    "foley_clip_color": "Orange",
    "new_timeline": False,  # True: a new timeline "<timeline> (Foley)" instead of Foley tracks on this one
    "engine": "procedural",
    "profile": "balanced",
}


def load_config(lib_dir: Optional[str]) -> dict:
    """FOLEY_RESOLVE_CONFIG names a JSON file, else config.json beside the installed library; over DEFAULTS."""
    config = dict(DEFAULTS)
    path = os.environ.get("FOLEY_RESOLVE_CONFIG") or (os.path.join(lib_dir, CONFIG_NAME) if lib_dir else None)
    if path and os.path.isfile(path):
        with open(path, encoding="utf-8") as handle:
            try:
                given = json.load(handle)
            except ValueError as exc:
                raise ValueError("the Foley Bridge config {} is not valid JSON ({}); fix or delete it".format(path, exc))
        config.update({key: value for key, value in given.items() if key in DEFAULTS})
    return config


def safe_folder_name(name: str) -> str:
    """A project or timeline name as one folder name on every OS."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name or "").strip().rstrip(".")
    return cleaned or "Untitled"


def output_folder(config: dict, project_name: str, timeline_name: str) -> str:
    """FOLEY_OUTPUT_DIR, else the config's folder, else `Foley Bridge/<project>/<timeline>` in the home folder
    (Resolve projects live in a database, not a folder of their own)."""
    folder = os.environ.get("FOLEY_OUTPUT_DIR") or config.get("output_dir")
    if not folder:
        folder = os.path.join(os.path.expanduser("~"), "Foley Bridge", safe_folder_name(project_name),
                              safe_folder_name(timeline_name))
    return os.path.abspath(os.path.expanduser(folder))
