"""The double's state: plain data behind the script objects (Resolve hands out a new proxy per call)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Optional

import av
import soundfile as sf

_ids = itertools.count(1)


def new_id() -> str:
    return f"{next(_ids):08x}-double"


@dataclass(eq=False)
class Media:
    """A media-pool item: a file, its length in frames at the clip's FPS, its start timecode in frames."""

    path: str
    kind: str  # "video" (with or without sound) or "audio"
    frames: int
    fps: Fraction
    tc_start: int = 0
    third_party: dict = field(default_factory=dict)
    uid: str = field(default_factory=new_id)

    @property
    def name(self) -> str:
        return Path(self.path).name


def probe(path: str, project_rate: Fraction) -> Optional[Media]:
    """Read a file the way the Media Pool does: video at its own rate, a WAV at the project's rate."""
    if not Path(path).is_file():
        return None
    if path.lower().endswith(".wav"):
        info = sf.info(path)
        return Media(str(path), "audio", round(info.frames * project_rate / info.samplerate), project_rate)
    with av.open(path) as container:
        stream = container.streams.video[0]
        rate = Fraction(stream.average_rate)
        frames = stream.frames or round(float(container.duration / av.time_base) * rate)
    return Media(str(path), "video", int(frames), rate)


@dataclass(eq=False)
class Item:
    """A timeline item: absolute record start, duration and its first source frame (left offset)."""

    media: Optional[Media]
    name: str
    start: int
    duration: int
    left_offset: int = 0
    color: str = ""
    enabled: bool = True
    markers: dict = field(default_factory=dict)  # {float frame within the media: {color, duration, note, name, customData}}
    uid: str = field(default_factory=new_id)

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(eq=False)
class Track:
    kind: str
    name: str
    items: list = field(default_factory=list)
    enabled: bool = True
    locked: bool = False
    subtype: str = ""

    def overlaps(self, start: int, end: int) -> bool:
        return any(start < item.end and end > item.start for item in self.items)

    def place(self, item: Item) -> None:
        self.items.append(item)
        self.items.sort(key=lambda i: i.start)


@dataclass(eq=False)
class TimelineData:
    name: str
    rate: Fraction
    start_frame: int
    video: list = field(default_factory=list)
    audio: list = field(default_factory=list)
    marks: dict = field(default_factory=dict)  # as GetMarkInOut answers: relative to the timeline start
    playhead: Optional[int] = None  # absolute frame
    uid: str = field(default_factory=new_id)

    def tracks(self, kind: str) -> list:
        return {"video": self.video, "audio": self.audio}[kind]

    def end_frame(self) -> int:
        return max([i.end for t in self.video + self.audio for i in t.items], default=self.start_frame)

    def snapshot(self) -> list:
        """Everything a user could see on the timeline, for before/after comparisons."""
        return [(kind, t.name, t.enabled, t.locked, [(i.name, i.start, i.duration, i.left_offset, i.media and i.media.path,
                                                       sorted(i.markers.items())) for i in t.items])
                for kind in ("video", "audio") for t in self.tracks(kind)] + [sorted(self.marks.items())]


@dataclass(eq=False)
class FolderData:
    name: str
    clips: list = field(default_factory=list)
    subfolders: list = field(default_factory=list)
    uid: str = field(default_factory=new_id)

    def walk(self):
        yield self
        for sub in self.subfolders:
            yield from sub.walk()


@dataclass(eq=False)
class ProjectData:
    name: str
    rate: Fraction
    timelines: list = field(default_factory=list)
    current: Optional[TimelineData] = None
    root: FolderData = field(default_factory=lambda: FolderData("Master"))
    folder: Optional[FolderData] = None

    def __post_init__(self) -> None:
        self.folder = self.folder or self.root

    def rate_setting(self) -> str:
        """What GetSetting("timelineFrameRate") says: the rounded display rate."""
        return {Fraction(24000, 1001): "23.976", Fraction(30000, 1001): "29.97",
                Fraction(60000, 1001): "59.94"}.get(self.rate, str(int(self.rate)))

    def find_media(self, path: str) -> Optional[Media]:
        return next((m for f in self.root.walk() for m in f.clips if m.path == path), None)
