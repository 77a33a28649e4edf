"""Timeline files as Resolve writes and reads them: OTIO in Resolve's dialect (real opentimelineio)."""

from __future__ import annotations

from fractions import Fraction
from typing import Optional

import opentimelineio as otio

from .model import Item, Media, ProjectData, TimelineData, Track, probe

KEY = "Resolve_OTIO"
RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange


def _clip(item: Item, rate: float, audio: bool) -> otio.schema.Clip:
    media = item.media
    source_start = media.tc_start + item.left_offset
    clip = otio.schema.Clip(name=item.name, source_range=TR(RT(source_start, rate), RT(item.duration, rate)))
    ref = otio.schema.ExternalReference(target_url=media.path.replace("\\", "/"),  # a plain path, not a file:// URL
                                        available_range=TR(RT(media.tc_start, rate), RT(media.frames, rate)))
    ref.name = media.name
    clip.set_media_references({otio.schema.Clip.DEFAULT_MEDIA_KEY: ref}, otio.schema.Clip.DEFAULT_MEDIA_KEY)
    clip.enabled = item.enabled
    meta = {"Link Group ID": 1}
    if audio:
        meta["Channels"] = [{"Source Channel ID": 0, "Source Track ID": 0}, {"Source Channel ID": 1, "Source Track ID": 0}]
    clip.metadata[KEY] = meta
    for frame, marker in sorted(item.markers.items()):
        clip.markers.append(otio.schema.Marker(
            name=marker["name"], marked_range=TR(RT(media.tc_start + frame, rate), RT(marker["duration"], rate)),
            color=marker["color"].upper() if marker["color"].upper() in dir(otio.schema.MarkerColor) else "RED",
            comment=marker["note"], metadata={KEY: {"Keywords": [], "Note": marker["note"]}}))
    return clip


def to_otio(data: TimelineData) -> otio.schema.Timeline:
    """The timeline as Resolve's exporter writes it: global start, tracks directly under the stack, metadata."""
    rate = float(data.rate)
    timeline = otio.schema.Timeline(name=data.name, global_start_time=RT(data.start_frame, rate))
    timeline.metadata[KEY] = {"Resolve OTIO Meta Version": "1.0"}
    for kind, tracks in ((otio.schema.TrackKind.Video, data.video), (otio.schema.TrackKind.Audio, data.audio)):
        for track in tracks:
            out = otio.schema.Track(name=track.name, kind=kind)
            out.enabled = track.enabled
            out.metadata[KEY] = {"Locked": track.locked}
            if kind == otio.schema.TrackKind.Audio:
                out.metadata[KEY]["Audio Type"] = track.subtype.capitalize() or "Stereo"
            at = data.start_frame
            for item in sorted(track.items, key=lambda i: i.start):
                if item.start < at or item.media is None:
                    continue  # before the timeline's start (renders nothing) or offline
                if item.start > at:
                    out.append(otio.schema.Gap(source_range=TR(duration=RT(item.start - at, rate))))
                out.append(_clip(item, rate, kind == otio.schema.TrackKind.Audio))
                at = item.end
            timeline.tracks.append(out)
    return timeline


def write_resolve_otio(data: TimelineData, path: str) -> None:
    otio.adapters.write_to_file(to_otio(data), path, adapter_name="otio_json")


def write_fcpxml(data: TimelineData, path: str) -> None:
    """FCPXML 1.10 through the OTIO adapter (older Resolve without OTIO export); media as file URLs there."""
    timeline = to_otio(data)
    for clip in timeline.find_clips():
        ref = clip.media_reference
        ref.target_url = otio.url_utils.url_from_filepath(ref.target_url)
    otio.adapters.write_to_file(timeline, path, adapter_name="fcpx_xml")


def _frames(t: otio.opentime.RationalTime, rate: Fraction) -> int:
    return round(t.value_rescaled_to(float(rate)))


def read_into_timeline(path: str, project: ProjectData, import_source_clips: bool) -> Optional[TimelineData]:
    """What ImportTimelineFromFile makes of an OTIO file. Media is found by plain path (Resolve's dialect);
    a file:// URL or a missing file leaves the item offline (no media-pool item)."""
    timeline = otio.adapters.read_from_file(path)
    if not isinstance(timeline, otio.schema.Timeline):
        return None
    rate = project.rate
    start = _frames(timeline.global_start_time, rate) if timeline.global_start_time else 0
    data = TimelineData(timeline.name, rate, start)
    for track in timeline.tracks:  # Resolve reads first-level tracks only
        kind = "video" if track.kind == otio.schema.TrackKind.Video else "audio"
        out = Track(kind, track.name, enabled=track.enabled, locked=bool(track.metadata.get(KEY, {}).get("Locked")),
                    subtype="stereo" if kind == "audio" else "")
        for clip in track.find_clips(shallow_search=True):
            where = track.range_of_child(clip)
            url = getattr(clip.media_reference, "target_url", "") or ""
            media = None if url.startswith("file:") else project.find_media(url)
            if media is None and import_source_clips and not url.startswith("file:"):
                media = probe(url, rate)
                if media is not None:
                    project.folder.clips.append(media)
            available = getattr(clip.media_reference, "available_range", None)
            offset = _frames(clip.source_range.start_time - (available.start_time if available else RT(0, float(rate))), rate)
            out.place(Item(media, clip.name, start + _frames(where.start_time, rate), _frames(where.duration, rate), offset))
        getattr(data, kind).append(out)
    return data


def new_media(path: str, rate: Fraction) -> Media:
    media = probe(path, rate)
    assert media is not None, path
    return media
