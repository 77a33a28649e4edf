"""The few sequencer names that changed between Blender 4.2 and 5.0 (Sequence -> Strip in 4.4)."""

import bpy

#: The strip type that custom properties go on.
STRIP_TYPE = getattr(bpy.types, "Strip", None) or bpy.types.Sequence


def all_strips(scene) -> list:
    """Every strip of the scene's sequencer, meta strips' contents included."""
    editor = scene.sequence_editor
    if editor is None:
        return []
    return list(editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all)


def top_strips(scene):
    """The collection new strips are made in."""
    editor = scene.sequence_editor or scene.sequence_editor_create()
    return editor.strips if hasattr(editor, "strips") else editor.sequences


def is_movie(strip) -> bool:
    return strip.type == "MOVIE"
