"""Blender's Video Sequence Editor as plain data, to and from OTIO (no bpy here: the add-on reads bpy).

Blender plays a movie frame for frame at the scene rate, so a strip's visible part is media frames
[frame_final_start - frame_start, frame_final_end - frame_start) counted at the scene rate; a movie
whose own rate differs plays at the wrong speed in Blender, which `media_rate_mismatches` reports.
Scene frames map to timeline frames one to one, the scene's first frame being the timeline's
global start.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from fractions import Fraction

import opentimelineio as otio

from .errors import FoleyOtioError

KINDS = ("movie", "sound", "image")
RATE_TOLERANCE = 1e-3  # frames a second; 23.976 vs 24000/1001 is the same rate


class VseError(FoleyOtioError, ValueError):
    """The scene description cannot be a timeline (a bad strip); says which strip and why."""


@dataclass(frozen=True)
class VseStrip:
    """One strip as the add-on reads it from bpy."""

    name: str
    kind: str  # "movie" | "sound" | "image"
    channel: int
    frame_start: int  # scene frame where the media's first frame would play (Blender `frame_start`)
    frame_final_start: int  # first visible scene frame
    frame_final_end: int  # one past the last visible scene frame
    filepath: str  # absolute
    media_frame_count: int | None = None
    media_rate: float | None = None  # the movie file's own frames a second, if known
    selected: bool = False
    prompt: str = ""
    negative_prompt: str = ""
    strip_id: str = ""  # stable id the add-on keeps on the strip

    @property
    def length(self) -> int:
        return self.frame_final_end - self.frame_final_start


@dataclass(frozen=True)
class VseScene:
    """The sequencer of one scene: its rate, first frame and strips."""

    name: str
    fps: int
    fps_base: float
    frame_start: int
    strips: tuple[VseStrip, ...] = field(default_factory=tuple)

    @property
    def rate(self) -> float:
        """Frames a second, exact for Blender's NTSC settings (fps 24, fps_base 1.001 -> 24000/1001)."""
        return float(scene_rate(self.fps, self.fps_base))


@dataclass(frozen=True)
class SoundStripPlan:
    """Where one clip's Foley WAV goes in the sequencer."""

    clip_id: str
    filepath: str
    frame_start: int
    frame_count: int
    channel: int


def scene_rate(fps: int, fps_base: float) -> Fraction:
    """fps / fps_base as an exact fraction (1.001 stands for 1001/1000)."""
    return Fraction(fps) / Fraction(fps_base).limit_denominator(10_000)


def _check(strip: VseStrip) -> None:
    if strip.kind not in KINDS:
        raise VseError(f"strip {strip.name!r}: kind {strip.kind!r} is not one of {', '.join(KINDS)}")
    if strip.length <= 0:
        raise VseError(f"strip {strip.name!r} has no visible frames ({strip.frame_final_start}..{strip.frame_final_end})")
    if strip.frame_final_start < strip.frame_start:
        raise VseError(f"strip {strip.name!r} starts before its media does; Blender never makes such a strip")
    if not os.path.isabs(strip.filepath):
        raise VseError(f"strip {strip.name!r}: media path {strip.filepath!r} is relative; make it absolute "
                       "(bpy.path.abspath) before export")
    if strip.channel < 1:
        raise VseError(f"strip {strip.name!r}: channel {strip.channel} (Blender's channels start at 1)")


def timeline_from_vse(scene: VseScene) -> otio.schema.Timeline:
    """One OTIO track per used channel (video for movie/image, audio for sound), record ranges exact."""
    rate = scene.rate
    timeline = otio.schema.Timeline(name=scene.name,
                                    global_start_time=otio.opentime.RationalTime(scene.frame_start, rate))
    by_channel: dict[int, list[VseStrip]] = {}
    for strip in scene.strips:
        _check(strip)
        by_channel.setdefault(strip.channel, []).append(strip)
    for channel in sorted(by_channel):
        strips = sorted(by_channel[channel], key=lambda s: s.frame_final_start)
        kinds = {"sound" if s.kind == "sound" else "video" for s in strips}
        if len(kinds) > 1:
            raise VseError(f"channel {channel} mixes sound and picture strips; OTIO tracks hold one kind")
        track = otio.schema.Track(name=f"Channel {channel}",
                                  kind=otio.schema.TrackKind.Audio if kinds == {"sound"} else otio.schema.TrackKind.Video)
        cursor = scene.frame_start
        for strip in strips:
            if strip.frame_final_start < cursor:
                raise VseError(f"strips overlap on channel {channel} at frame {strip.frame_final_start} "
                               f"({strip.name!r}); Blender keeps strips on a channel apart")
            if strip.frame_final_start > cursor:
                track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
                    duration=otio.opentime.RationalTime(strip.frame_final_start - cursor, rate))))
            track.append(_clip(strip, rate))
            cursor = strip.frame_final_end
        timeline.tracks.append(track)
    return timeline


def _clip(strip: VseStrip, rate: float) -> otio.schema.Clip:
    available = None
    if strip.media_frame_count:
        available = otio.opentime.TimeRange(duration=otio.opentime.RationalTime(strip.media_frame_count, rate))
    clip = otio.schema.Clip(
        name=strip.name,
        media_reference=otio.schema.ExternalReference(target_url=otio.url_utils.url_from_filepath(strip.filepath),
                                                      available_range=available),
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(strip.frame_final_start - strip.frame_start, rate),
            otio.opentime.RationalTime(strip.length, rate)),
    )
    foley = {"prompt": strip.prompt, "negative_prompt": strip.negative_prompt}
    if strip.strip_id:
        foley["clip_id"] = strip.strip_id
    clip.metadata["foley"] = {k: v for k, v in foley.items() if v}
    clip.metadata["blender"] = {"channel": strip.channel, "name": strip.name, "kind": strip.kind}
    return clip


def media_rate_mismatches(scene: VseScene) -> list[str]:
    """One sentence per movie strip whose file rate is not the scene rate (Blender then plays it at
    the wrong speed, and its Foley would drift against what the file really shows)."""
    messages = []
    for strip in scene.strips:
        if strip.kind == "movie" and strip.media_rate and abs(strip.media_rate - scene.rate) > RATE_TOLERANCE:
            messages.append(f"strip {strip.name!r}: the movie runs at {strip.media_rate:.3f} fps but the scene at "
                            f"{scene.rate:.3f} fps; set the scene's frame rate to the movie's (Properties > Output > "
                            "Format) or conform the movie, then generate again")
    return messages


def placements_to_sound_strips(placements: list[dict], scene: VseScene) -> list[SoundStripPlan]:
    """Scene frames and a free channel above every picture strip for each placement, never overlapping."""
    picture_top = max((s.channel for s in scene.strips if s.kind != "sound"), default=0)
    busy: dict[int, list[tuple[int, int]]] = {}
    for strip in scene.strips:
        busy.setdefault(strip.channel, []).append((strip.frame_final_start, strip.frame_final_end))
    plans = []
    for placement in sorted(placements, key=lambda p: (p["record_start_frame"], p["clip_id"])):
        start = int(placement["record_start_frame"])  # timeline frames, global start (scene start) included
        count = int(placement["duration_frames"])
        channel = picture_top + 1
        while any(a < start + count and start < b for a, b in busy.get(channel, [])):
            channel += 1
        busy.setdefault(channel, []).append((start, start + count))
        plans.append(SoundStripPlan(placement["clip_id"], placement["path"], start, count, channel))
    return plans


def vse_to_dict(scene: VseScene) -> dict:
    return asdict(scene)


def vse_from_dict(data: dict) -> VseScene:
    try:
        strips = tuple(VseStrip(**strip) for strip in data.get("strips", []))
        return VseScene(name=str(data["name"]), fps=int(data["fps"]), fps_base=float(data["fps_base"]),
                        frame_start=int(data["frame_start"]), strips=strips)
    except (KeyError, TypeError, ValueError) as exc:
        raise VseError(f"not a Blender sequencer description ({exc}); export it again from the add-on") from None


def vse_to_json(scene: VseScene) -> str:
    return json.dumps(vse_to_dict(scene), indent=1)
