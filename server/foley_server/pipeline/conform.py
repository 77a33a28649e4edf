"""Put rendered WAVs back on the timeline and describe where they went (placements)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import opentimelineio as otio

from foley_otio import FoleyItem, place_foley_track
from foley_otio.ranges import global_start, record_range, timeline_rate, to_frames


@dataclass(frozen=True)
class Placement:
    """Where one Foley WAV sits, in the terms every editor plugin can apply directly."""

    clip_id: str
    path: str
    track_name: str
    rate: float
    record_start_s: float  # seconds from the timeline's start (global start excluded)
    duration_s: float
    record_start_frame: int  # timeline frame as the editor shows it (global start included)
    duration_frames: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


#: Track names of the per-role stems, beside the mixed "Foley" track.
STEM_TRACKS = {"events": "Foley FX", "movement": "Foley Movement", "ambience": "Foley Ambience"}


def conform(
    timeline: otio.schema.Timeline,
    items: Sequence[FoleyItem],
    stems: Mapping[str, Sequence[FoleyItem]] | None = None,
) -> tuple[otio.schema.Timeline, list[Placement]]:
    """The input timeline plus Foley track(s) (and stem tracks), with placements read back from it."""
    result = place_foley_track(timeline, items)
    for role, stem_items in (stems or {}).items():
        if stem_items:
            result = place_foley_track(result, stem_items, track_name=STEM_TRACKS[role])
    wanted = {item.clip_id for item in items}
    rate = timeline_rate(result)
    start_frame = to_frames(global_start(result), rate)
    placements = []
    for track in result.tracks:
        if track.kind != otio.schema.TrackKind.Audio:
            continue
        for clip in track.find_clips():
            meta = clip.metadata.get("foley", {})
            if not meta.get("generated") or meta.get("clip_id") not in wanted:
                continue
            rr = record_range(clip, result)
            placements.append(
                Placement(
                    clip_id=meta["clip_id"],
                    path=otio.url_utils.filepath_from_url(clip.media_reference.target_url)
                    if "://" in clip.media_reference.target_url
                    else clip.media_reference.target_url,
                    track_name=track.name,
                    rate=rate,
                    record_start_s=rr.start_time.to_seconds(),
                    duration_s=rr.duration.to_seconds(),
                    record_start_frame=start_frame + to_frames(rr.start_time, rate),
                    duration_frames=to_frames(rr.duration, rate),
                )
            )
    placements.sort(key=lambda p: (p.record_start_s, p.track_name))
    return result, placements
