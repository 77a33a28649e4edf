"""Generated Foley onto the sequencer: sound strips on free channels above the picture, one undo step."""

import bpy

from .compat import all_strips, top_strips
from .deps import blender_vse
from .vse_export import describe_scene

FOLEY_CHANNEL_NAME = "Foley"


class RateMismatch(Exception):
    """The scene rate is not the rate the job was made at: placing would misalign."""


def remove_foley_for(scene, source_ids: set[str]) -> int:
    """Delete the Foley sound strips made earlier for these source strips (a rerun replaces them)."""
    doomed = [s for s in all_strips(scene) if s.foley_source_id and s.foley_source_id in source_ids]
    collection = top_strips(scene)
    for strip in doomed:
        collection.remove(strip)
    return len(doomed)


def apply_result(scene, result: dict) -> list:
    """Place each placement of a job result as a sound strip exactly on its source strip's frames."""
    placements = result.get("placements", [])
    rate = blender_vse.scene_rate(scene.render.fps, scene.render.fps_base)
    for placement in placements:
        if abs(float(placement["rate"]) - float(rate)) > blender_vse.RATE_TOLERANCE:
            raise RateMismatch(f"the job was made at {placement['rate']:.3f} fps but the scene now runs at "
                               f"{float(rate):.3f} fps; set the rate back or generate again")
    _undo_push("Before Foley")  # so one undo returns to exactly this state
    remove_foley_for(scene, {p["clip_id"] for p in placements})
    plans = blender_vse.placements_to_sound_strips(placements, describe_scene(scene))
    made = []
    collection = top_strips(scene)
    for plan in plans:
        strip = collection.new_sound(name=f"Foley {plan.clip_id[:6]}", filepath=plan.filepath, channel=plan.channel,
                                     frame_start=plan.frame_start)
        if strip.frame_final_end != plan.frame_start + plan.frame_count:  # the WAV rounds to the frame differently
            strip.frame_final_end = plan.frame_start + plan.frame_count
        strip.foley_source_id = plan.clip_id
        made.append(strip)
        channels = getattr(scene.sequence_editor, "channels", None)
        if channels is not None and len(channels) > plan.channel:
            channels[plan.channel].name = FOLEY_CHANNEL_NAME
    _undo_push("Apply Foley")  # the whole apply is one step back
    return made


def _undo_push(message: str) -> None:
    try:
        bpy.ops.ed.undo_push(message=message)
    except RuntimeError:
        pass  # no undo stack here; the strips are placed all the same


def record_heard(scene, sounds: dict) -> int:
    """Keep on each source strip what its prompt became and what it asked for that was not heard
    (a job result's `sounds`, by clip id); returns the strips updated."""
    updated = 0
    for strip in all_strips(scene):
        info = sounds.get(strip.foley_id) if strip.foley_id and not strip.foley_source_id else None
        if info is not None:
            strip.foley_sound = info.get("sound", "")
            strip.foley_warnings = "\n".join(info.get("warnings", []))
            updated += 1
    return updated


def heard_lines(strip) -> list[tuple[str, str]]:
    """(text, icon) lines the panel shows for a strip: what it heard, then each warning."""
    lines = [(f"Heard: {strip.foley_sound}", "INFO")] if strip.foley_sound else []
    return lines + [(warning, "ERROR") for warning in strip.foley_warnings.splitlines() if warning]
