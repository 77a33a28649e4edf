"""tests/blender needs Blender's `bpy`, which pins numpy<2: it runs in its own venvs (`make test`
creates .venv-blender50 and .venv-blender45), so the main venv leaves that folder to them."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("bpy") else ["blender"]
