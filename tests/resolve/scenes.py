"""Resolve projects for the tests: event videos on a timeline that starts at 01:00:00:00, and a way to
run the menu scripts the way Resolve does (the file, with the globals resolve / fusion / bmd)."""

from __future__ import annotations

import json
import runpy
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Callable, Optional

from resolve_double import STUDIO, Item, ProjectData, ResolveDouble, TimelineData, Track, probe

from otio_fixtures import EventClip

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "davinci"
#: Clean transients for the onset check: one hit on each visual event, no bed (knocks come as two to four raps).
HITS = ("wooden hits", json.dumps({"negative_prompt": "room tone, ambience, cloth"}))


def nominal(rate: Fraction) -> int:
    return int(round(rate))


@dataclass
class Shot:
    """A clip to put on the timeline: `at` frames after the timeline's start, trimmed by the media's in point."""

    name: str
    media: EventClip
    at: int
    track: int = 1
    color: str = ""
    marker: Optional[tuple] = HITS  # (note, customData) of a Foley marker, None for no marker
    duration: Optional[int] = None  # default: the media's visible frames
    other_markers: dict = field(default_factory=dict)


def make_resolve(shots: list[Shot], rate: Fraction, *, product: str = STUDIO, version: tuple = (20, 2, 1, 5, ""),
                 missing=(), dialog_user: Optional[Callable] = None, marks: Optional[tuple] = None,
                 playhead: Optional[int] = None) -> ResolveDouble:
    """One project, one timeline "Cut 1" (V1, V2, and A1 with the camera sound of the first shot)."""
    project = ProjectData("Foley test", rate)
    start = 3600 * nominal(rate)
    timeline = TimelineData("Cut 1", rate, start, video=[Track("video", "V1"), Track("video", "V2")],
                            audio=[Track("audio", "A1", subtype="stereo")])
    for shot in shots:
        media = project.find_media(str(shot.media.media))
        if media is None:
            media = probe(str(shot.media.media), rate)
            project.root.clips.append(media)
        item = Item(media, shot.name, start + shot.at, shot.duration or shot.media.visible_frames,
                    left_offset=shot.media.in_frame, color=shot.color, markers=dict(shot.other_markers))
        if shot.marker is not None:
            item.markers[float(shot.media.in_frame)] = {"color": "Sand", "duration": 1.0, "note": shot.marker[0],
                                                        "name": "Foley", "customData": shot.marker[1]}
        timeline.video[shot.track - 1].place(item)
    if shots:
        first = timeline.video[shots[0].track - 1].items[0]
        timeline.audio[0].place(Item(first.media, first.name, first.start, first.duration, first.left_offset))
    if marks is not None:
        timeline.marks = {"video": {"in": marks[0], "out": marks[1]}, "audio": {"in": marks[0], "out": marks[1]}}
    timeline.playhead = None if playhead is None else start + playhead
    project.timelines.append(timeline)
    project.current = timeline
    return ResolveDouble(project, product=product, version=version, missing=missing, dialog_user=dialog_user)


def run_menu(resolve: Optional[ResolveDouble], regenerate: bool = False, script_globals: Optional[dict] = None):
    """Run the menu script file as Resolve does; its `outcome`."""
    script = PLUGIN / ("Regenerate Foley.py" if regenerate else "Generate Foley.py")
    given = script_globals if script_globals is not None else resolve.globals()
    return runpy.run_path(str(script), init_globals=given)["outcome"]


def foley_items(resolve: ResolveDouble, timeline: Optional[TimelineData] = None) -> list[tuple[str, Item]]:
    """(track name, item) of every item on the audio tracks named Foley / Foley N."""
    timeline = timeline or resolve.project.current
    return [(t.name, i) for t in timeline.audio if t.name == "Foley" or (t.name.startswith("Foley ") and
                                                                          t.name[6:].isdigit()) for i in t.items]
