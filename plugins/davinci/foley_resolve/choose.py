"""Which clips get Foley. Resolve has no timeline-selection API, so the choice follows rules, in order:
the clips on enabled video tracks inside the timeline's In/Out marks; else every clip with the Foley
clip colour; else the clip under the playhead.
"""

from typing import Any, List, NamedTuple, Optional, Tuple

from .compat import offers, track_items
from .errors import NoClipsChosen

RULE_MARKS = "In/Out marks"
RULE_COLOUR = "clip colour"
RULE_PLAYHEAD = "playhead"


class ChosenClip(NamedTuple):
    """A picture clip on the timeline, in Resolve's own terms (absolute frames, 1-based video track)."""

    item: Any
    unique_id: str
    name: str
    video_track: int
    start: int  # first frame, absolute (the timeline's start timecode included)
    end: int  # exclusive


def picture_clips(timeline: Any) -> List[ChosenClip]:
    """Enabled clips with media on enabled video tracks, in track then time order (titles and generators have no media)."""
    clips = []
    for track in range(1, int(timeline.GetTrackCount("video")) + 1):
        if not timeline.GetIsTrackEnabled("video", track):
            continue
        for item in track_items(timeline, "video", track):
            if offers(item, "GetClipEnabled") and not item.GetClipEnabled():
                continue
            if item.GetMediaPoolItem() is None:
                continue
            clips.append(ChosenClip(item, item.GetUniqueId(), item.GetName(), track, int(item.GetStart()),
                                    int(item.GetEnd())))
    return clips


def inside_marks(timeline: Any, clips: List[ChosenClip]) -> Optional[List[ChosenClip]]:
    """Clips overlapping the video In/Out marks; None when the marks are not both set.

    GetMarkInOut counts from the timeline's start and includes the Out frame.
    """
    marks = (timeline.GetMarkInOut() or {}).get("video") or {}
    if "in" not in marks or "out" not in marks:
        return None
    first = int(timeline.GetStartFrame()) + int(marks["in"])
    after = int(timeline.GetStartFrame()) + int(marks["out"]) + 1
    return [c for c in clips if c.start < after and c.end > first]


def choose_clips(timeline: Any, foley_colour: str) -> Tuple[str, List[ChosenClip]]:
    """(the rule that chose, the clips it chose); NoClipsChosen when no rule finds one."""
    clips = picture_clips(timeline)
    marked = inside_marks(timeline, clips)
    if marked:
        return RULE_MARKS, marked
    coloured = [c for c in clips if (c.item.GetClipColor() or "").lower() == foley_colour.lower()]
    if coloured:
        return RULE_COLOUR + " " + foley_colour, coloured
    current = timeline.GetCurrentVideoItem()
    if current is not None:
        # Resolve hands out a new proxy object per call: compare ids, not objects.
        under = [c for c in clips if c.unique_id == current.GetUniqueId()]
        if under:
            return RULE_PLAYHEAD, under[-1:]
    raise NoClipsChosen(
        "no clips chosen: set In and Out marks around the clips on the timeline (I and O), or give them the {} clip "
        "colour (right-click > Clip Color), or park the playhead on a clip, and run this again".format(foley_colour))
