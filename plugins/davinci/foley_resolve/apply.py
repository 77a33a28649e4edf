"""Foley onto the open timeline: stereo audio tracks named `Foley`, each WAV at its source clip's record
frame, read back from Resolve afterwards (it drops overlapping appends without a word).

Everything that could refuse (locked tracks) is checked before the timeline changes.
"""

import re
from typing import Any, Dict, List, NamedTuple, Optional, Set, Tuple

from .choose import ChosenClip
from .compat import track_items
from .errors import ApplyFailed, TrackLocked
from .media_pool import import_wavs, same_file, source_of
from .timecode import timecode

FOLEY_TRACK = "Foley"
_FOLEY_NAME = re.compile(re.escape(FOLEY_TRACK) + r"( \d+)?$")
AUDIO_ONLY = 2  # AppendToTimeline's mediaType


class Placement(NamedTuple):
    """One WAV and the frames it must cover (absolute, as Resolve shows them)."""

    source: ChosenClip
    path: str
    start: int
    duration: int


class Plan(NamedTuple):
    earlier: List[Tuple[int, Any]]  # (audio track, item) of Foley made before for these clips
    tracks: List[Tuple[Placement, int]]  # placement -> audio track index (new ones past the current count)
    new_tracks: List[str]  # names of the tracks to add, in order


def is_foley_track(name: str) -> bool:
    """`Foley` or an overflow track `Foley 2`, never a sibling such as `Foley FX`."""
    return _FOLEY_NAME.match(name or "") is not None


def foley_tracks(timeline: Any) -> List[int]:
    return [index for index in range(1, int(timeline.GetTrackCount("audio")) + 1)
            if is_foley_track(timeline.GetTrackName("audio", index))]


def _new_track_name(taken: Set[str]) -> str:
    if FOLEY_TRACK not in taken:
        return FOLEY_TRACK
    n = 2
    while "{} {}".format(FOLEY_TRACK, n) in taken:
        n += 1
    return "{} {}".format(FOLEY_TRACK, n)


def plan(timeline: Any, placements: List[Placement]) -> Plan:
    """Where each WAV goes: the first Foley track free over its frames once the clip's earlier Foley is gone."""
    sources = {p.source.unique_id for p in placements}
    spans: Dict[int, List[Tuple[int, int]]] = {}
    earlier = []
    for track in foley_tracks(timeline):
        spans[track] = []
        for item in track_items(timeline, "audio", track):
            if source_of(item.GetMediaPoolItem()) in sources:
                earlier.append((track, item))
            else:
                spans[track].append((int(item.GetStart()), int(item.GetEnd())))
    count = int(timeline.GetTrackCount("audio"))
    taken = {timeline.GetTrackName("audio", index) for index in range(1, count + 1)}
    new_tracks = []
    assigned = []
    for placement in sorted(placements, key=lambda p: (p.start, p.source.video_track)):
        end = placement.start + placement.duration
        target = next((t for t in sorted(spans) if all(end <= s or placement.start >= e for s, e in spans[t])), None)
        if target is None:
            name = _new_track_name(taken)
            taken.add(name)
            new_tracks.append(name)
            target = count + len(new_tracks)
            spans[target] = []
        spans[target].append((placement.start, end))
        assigned.append((placement, target))
    return Plan(earlier, assigned, new_tracks)


def _refuse_locked(timeline: Any, tracks: List[int]) -> None:
    locked = [t for t in tracks if timeline.GetIsTrackLocked("audio", t)]
    if locked:
        raise TrackLocked("the Foley audio track(s) {} are locked; unlock them (the padlock in the track header) and "
                          "run this again. Nothing was changed.".format(
                              ", ".join("A{} {!r}".format(t, timeline.GetTrackName("audio", t)) for t in locked)))


def check_foley_tracks_unlocked(timeline: Any) -> None:
    """Before any work: a locked Foley track says the user wants it left alone, so nothing may start."""
    _refuse_locked(timeline, foley_tracks(timeline))


def check_unlocked(timeline: Any, chosen: Plan) -> None:
    """Every existing track this run would change must be unlocked (a locked track takes no appends)."""
    count = int(timeline.GetTrackCount("audio"))
    _refuse_locked(timeline, sorted({t for t, _ in chosen.earlier} | {t for _, t in chosen.tracks if t <= count}))


def remove_earlier(resolve: Any, timeline: Any, earlier: List[Tuple[int, Any]]) -> None:
    """Delete the clips' earlier Foley items (Resolve deletes timeline items only on the Edit page)."""
    if not earlier:
        return
    if resolve.GetCurrentPage() != "edit":
        resolve.OpenPage("edit")
    if not timeline.DeleteClips([item for _, item in earlier], False):
        raise ApplyFailed("Resolve did not delete the earlier Foley items; open the Edit page, delete them by hand "
                          "and run this again")


def add_tracks(timeline: Any, names: List[str]) -> None:
    for name in names:
        before = int(timeline.GetTrackCount("audio"))
        if not timeline.AddTrack("audio", "stereo") or int(timeline.GetTrackCount("audio")) != before + 1:
            raise ApplyFailed("Resolve did not add a stereo audio track for the Foley; add one named {!r} and run this "
                              "again".format(name))
        timeline.SetTrackName("audio", before + 1, name)


def _landed(timeline: Any, placement: Placement, track: int) -> bool:
    for item in track_items(timeline, "audio", track):
        pool = item.GetMediaPoolItem()
        if (int(item.GetStart()) == placement.start and int(item.GetDuration()) == placement.duration
                and pool is not None and same_file(pool.GetClipProperty("File Path"), placement.path)):
            return True
    return False


def apply_in_place(resolve: Any, media_pool: Any, timeline: Any, placements: List[Placement], rate: int) -> Plan:
    """Put every placement on the timeline, or raise ApplyFailed naming each one Resolve did not place."""
    chosen = plan(timeline, placements)
    check_unlocked(timeline, chosen)
    page = resolve.GetCurrentPage()
    try:
        remove_earlier(resolve, timeline, chosen.earlier)
        pool = import_wavs(media_pool, {p.path: p.source.unique_id for p in placements})
        add_tracks(timeline, chosen.new_tracks)
        for placement, track in chosen.tracks:
            media_pool.AppendToTimeline([{
                "mediaPoolItem": pool[placement.path], "startFrame": 0, "endFrame": placement.duration,
                "mediaType": AUDIO_ONLY, "trackIndex": track, "recordFrame": placement.start,
            }])
    finally:
        if page and resolve.GetCurrentPage() != page:
            resolve.OpenPage(page)
    # Appends that overlap are dropped silently and returned items can be phantoms: read the tracks back.
    missing = [(p, t) for p, t in chosen.tracks if not _landed(timeline, p, t)]
    if missing:
        raise ApplyFailed("Resolve did not place the Foley of " + "; ".join(
            "{!r} at {} ({} frames) on audio track A{} ({})".format(p.source.name, timecode(p.start, rate), p.duration,
                                                                    t, p.path) for p, t in missing)
            + ". Free those frames on the track (or unlock it) and run this again, or drag the WAV(s) there by hand.")
    return chosen


def placed_on(timeline: Any, placements: List[Placement]) -> Optional[List[Tuple[Placement, int]]]:
    """Where each placement is on a timeline's Foley tracks (None when one is missing): reading a new timeline back."""
    found = []
    tracks = foley_tracks(timeline)
    for placement in placements:
        track = next((t for t in tracks if _landed(timeline, placement, t)), None)
        if track is None:
            return None
        found.append((placement, track))
    return found
