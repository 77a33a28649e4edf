"""The scene's sequencer read from bpy into the plain description foley_otio turns into OTIO."""

import uuid

import bpy

from .compat import all_strips, is_movie
from .deps import blender_vse


def selected_movie_strips(scene) -> list:
    return [s for s in all_strips(scene) if is_movie(s) and s.select]


def ensure_ids(strips) -> None:
    """Give each strip a stable id once; it is saved with the .blend, so Regenerate replaces, not stacks."""
    for strip in strips:
        if not strip.foley_id:
            strip.foley_id = uuid.uuid4().hex[:16]


def _media(strip) -> tuple[str, str, int | None, float | None]:
    if strip.type == "MOVIE":
        return "movie", bpy.path.abspath(strip.filepath), strip.frame_duration, float(strip.fps) or None
    if strip.type == "SOUND":
        return "sound", bpy.path.abspath(strip.sound.filepath), strip.frame_duration, None
    if strip.type == "IMAGE":
        return "image", bpy.path.abspath(strip.directory + strip.elements[0].filename), strip.frame_duration, None
    return "", "", None, None


def describe_scene(scene) -> "blender_vse.VseScene":
    """Movie, sound and image strips with channels, visible ranges, absolute paths and the exact rate."""
    strips = []
    for strip in all_strips(scene):
        kind, path, count, rate = _media(strip)
        if not kind or strip.foley_source_id:  # other strip types; our own Foley strips are output, not input
            continue
        strips.append(blender_vse.VseStrip(
            name=strip.name, kind=kind, channel=strip.channel, frame_start=int(round(strip.frame_start)),
            frame_final_start=strip.frame_final_start, frame_final_end=strip.frame_final_end, filepath=path,
            media_frame_count=count, media_rate=rate, selected=bool(strip.select),
            prompt=strip.foley_prompt, negative_prompt=strip.foley_negative_prompt, strip_id=strip.foley_id,
        ))
    render = scene.render
    return blender_vse.VseScene(scene.name, render.fps, float(render.fps_base), scene.frame_start, tuple(strips))
