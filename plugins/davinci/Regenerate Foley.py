"""Workspace > Scripts > Regenerate Foley (Foley Bridge).

New Foley (a new seed) for the chosen clips, replacing the Foley made for them before, on the tracks named
`Foley`. Clips are chosen by In/Out marks, else by the Foley clip colour (Orange), else the playhead.
Resolve runs this with the globals `resolve`, `fusion` and `bmd`; install it with install.py.
"""

import os
import sys

LIB_DIR = None  # install.py writes the installed library folder here


def _library_folders():
    """The installed library, else (a checkout) this folder and plugins/common beside it."""
    if LIB_DIR:
        return [LIB_DIR]
    here = globals().get("__file__")
    if not here:
        return []
    plugin = os.path.dirname(os.path.abspath(here))
    return [plugin, os.path.join(os.path.dirname(plugin), "common")]


for _folder in reversed(_library_folders()):
    if _folder not in sys.path:
        sys.path.insert(0, _folder)
try:
    from foley_resolve.menu import run_menu_script
except ImportError as _missing:
    print("Foley Bridge: its library is missing ({}); run `python plugins/davinci/install.py` again".format(_missing))
    outcome = None
else:
    outcome = run_menu_script(globals(), regenerate=True, lib_dir=LIB_DIR)
