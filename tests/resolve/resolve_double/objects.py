"""The script objects of the double, each method as Blackmagic's README (8 May 2026) documents it.

Rules kept from the README and from what Resolve does (see shared/REFERENCE.md): track indices are
1-based; frames are ints unless `subframe_precision` asks for floats (19.0.2+); marker dicts are keyed
by float frames; GetMarkInOut counts from the timeline start while AppendToTimeline's recordFrame is
absolute; an append over an occupied spot is dropped without a word (a phantom item is returned); a
locked track takes no appends ([]); DeleteClips works only on the Edit page; export constants are
the live object's ints (strings fail silently).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Optional

from . import otio_io
from .model import FolderData, Item, Media, ProjectData, TimelineData, Track, probe
from .remote import Remote, api

TRACK_TYPES = ("video", "audio", "subtitle")
PAGES = ("media", "cut", "edit", "fusion", "color", "fairlight", "deliver")
AUDIO_TYPES = ("mono", "stereo", "5.1", "7.1")


def _frame(value, subframe_precision: bool):
    return float(value) if subframe_precision else int(value)


class MediaPoolItem(Remote):
    def __init__(self, owner, media: Media) -> None:
        self._owner, self._media = owner, media

    @api("GetName()")
    def GetName(self):
        return self._media.name

    @api("GetClipProperty(propertyName=None)")
    def GetClipProperty(self, propertyName=None):
        m = self._media
        props = {"File Path": m.path, "Clip Name": m.name, "FPS": float(m.fps), "Frames": str(m.frames),
                 "Type": "Audio" if m.kind == "audio" else "Video + Audio"}
        return props if not propertyName else props.get(propertyName, "")

    @api("GetThirdPartyMetadata(metadataType=None)")
    def GetThirdPartyMetadata(self, metadataType=None):
        return dict(self._media.third_party) if metadataType is None else self._media.third_party.get(metadataType, "")

    @api("SetThirdPartyMetadata(metadataType, metadataValue)")
    def SetThirdPartyMetadata(self, metadataType, metadataValue=None):
        if isinstance(metadataType, dict):
            self._media.third_party.update({str(k): str(v) for k, v in metadataType.items()})
            return True
        assert isinstance(metadataValue, str), "metadataValue must be a string"
        self._media.third_party[metadataType] = metadataValue
        return True

    @api("GetUniqueId()")
    def GetUniqueId(self):
        return self._media.uid


class TimelineItem(Remote):
    def __init__(self, owner, item: Item, timeline: Optional[TimelineData]) -> None:
        self._owner, self._item, self._timeline = owner, item, timeline

    @api("GetName()")
    def GetName(self):
        return self._item.name

    @api("GetStart(subframe_precision)")
    def GetStart(self, subframe_precision=False):
        return _frame(self._item.start, subframe_precision and self._owner.version[:3] >= (19, 0, 2))

    @api("GetEnd(subframe_precision)")
    def GetEnd(self, subframe_precision=False):
        return _frame(self._item.end, subframe_precision and self._owner.version[:3] >= (19, 0, 2))

    @api("GetDuration(subframe_precision)")
    def GetDuration(self, subframe_precision=False):
        return _frame(self._item.duration, subframe_precision and self._owner.version[:3] >= (19, 0, 2))

    @api("GetLeftOffset(subframe_precision)")
    def GetLeftOffset(self, subframe_precision=False):
        return _frame(self._item.left_offset, subframe_precision and self._owner.version[:3] >= (19, 0, 2))

    @api("GetMediaPoolItem()")
    def GetMediaPoolItem(self):
        return MediaPoolItem(self._owner, self._item.media) if self._item.media is not None else None

    @api("GetUniqueId()")
    def GetUniqueId(self):
        return self._item.uid

    @api("GetClipColor()")
    def GetClipColor(self):
        return self._item.color

    @api("SetClipColor(colorName)")
    def SetClipColor(self, colorName):
        self._item.color = colorName
        return True

    @api("GetClipEnabled()")
    def GetClipEnabled(self):
        return self._item.enabled

    @api("GetMarkers()")
    def GetMarkers(self):
        return {float(k): dict(v) for k, v in self._item.markers.items()}

    @api("AddMarker(frameId, color, name, note, duration, customData)")
    def AddMarker(self, frameId, color, name, note, duration, customData=""):
        assert isinstance(frameId, (int, float)) and isinstance(duration, (int, float)), "frameId and duration are numbers"
        assert all(isinstance(v, str) for v in (color, name, note, customData)), "color, name, note, customData are strings"
        if float(frameId) in self._item.markers:
            return False  # one marker per frame
        self._item.markers[float(frameId)] = {"color": color, "duration": float(duration), "note": note, "name": name,
                                              "customData": customData}
        return True

    @api("DeleteMarkerAtFrame(frameNum)")
    def DeleteMarkerAtFrame(self, frameNum):
        return self._item.markers.pop(float(frameNum), None) is not None

    @api("GetTrackTypeAndIndex()", since=(19, 0))
    def GetTrackTypeAndIndex(self):
        for kind in ("video", "audio"):
            for index, track in enumerate(self._timeline.tracks(kind), 1):
                if self._item in track.items:
                    return [kind, index]
        return None


class Timeline(Remote):
    def __init__(self, owner, data: TimelineData) -> None:
        self._owner, self._data = owner, data

    def _track(self, trackType, index) -> Track:
        assert trackType in ("video", "audio"), f"trackType {trackType!r}"
        assert isinstance(index, int) and not isinstance(index, bool), f"track index must be an int, got {index!r}"
        tracks = self._data.tracks(trackType)
        assert 1 <= index <= len(tracks), f"1 <= trackIndex <= GetTrackCount({trackType!r}) = {len(tracks)}; got {index}"
        return tracks[index - 1]

    def _items(self, track: Track) -> list:
        return [TimelineItem(self._owner, item, self._data) for item in track.items]

    @api("GetName()")
    def GetName(self):
        return self._data.name

    @api("GetUniqueId()")
    def GetUniqueId(self):
        return self._data.uid

    @api("GetStartFrame()")
    def GetStartFrame(self):
        return int(self._data.start_frame)

    @api("GetEndFrame()")
    def GetEndFrame(self):
        return int(self._data.end_frame())

    @api("GetTrackCount(trackType)")
    def GetTrackCount(self, trackType):
        assert trackType in TRACK_TYPES
        return 0 if trackType == "subtitle" else len(self._data.tracks(trackType))

    @api("GetItemListInTrack(trackType, index)")
    def GetItemListInTrack(self, trackType, index):
        return self._items(self._track(trackType, index))

    @api("GetItemsInTrack(trackType, index)")
    def GetItemsInTrack(self, trackType, index):  # deprecated: a dict keyed by position
        return {n: item for n, item in enumerate(self._items(self._track(trackType, index)), 1)}

    @api("GetTrackName(trackType, trackIndex)")
    def GetTrackName(self, trackType, trackIndex):
        return self._track(trackType, trackIndex).name

    @api("SetTrackName(trackType, trackIndex, name)")
    def SetTrackName(self, trackType, trackIndex, name):
        self._track(trackType, trackIndex).name = name
        return True

    @api("GetIsTrackEnabled(trackType, trackIndex)")
    def GetIsTrackEnabled(self, trackType, trackIndex):
        return self._track(trackType, trackIndex).enabled

    @api("GetIsTrackLocked(trackType, trackIndex)")
    def GetIsTrackLocked(self, trackType, trackIndex):
        return self._track(trackType, trackIndex).locked

    @api("AddTrack(trackType, subTrackType)")
    def AddTrack(self, trackType, subTrackType=None):
        assert trackType in ("video", "audio")
        if isinstance(subTrackType, dict):  # AddTrack(trackType, newTrackOptions), 19.0+
            assert self._owner.version[:2] >= (19, 0), "the newTrackOptions form needs Resolve 19"
            audio_type, index = subTrackType.get("audioType", "mono"), subTrackType.get("index")
        else:
            audio_type, index = subTrackType or "mono", None
        assert trackType != "audio" or audio_type in AUDIO_TYPES, f"audio type {audio_type!r}"
        tracks = self._data.tracks(trackType)
        name = f"{'V' if trackType == 'video' else 'A'}{len(tracks) + 1}"
        track = Track(trackType, name, subtype=audio_type if trackType == "audio" else "")
        if isinstance(index, int) and 1 <= index <= len(tracks):
            tracks.insert(index - 1, track)
        else:
            tracks.append(track)
        return True

    @api("GetTrackSubType(trackType, trackIndex)")
    def GetTrackSubType(self, trackType, trackIndex):
        return self._track(trackType, trackIndex).subtype

    @api("DeleteClips([timelineItems], Bool)")
    def DeleteClips(self, timelineItems, ripple=False):
        if self._owner.page != "edit":
            return False
        doomed = {item._item for item in timelineItems}
        for track in self._data.video + self._data.audio:
            track.items = [i for i in track.items if i not in doomed]
        return True

    @api("GetMarkInOut()")
    def GetMarkInOut(self):
        return {kind: {k: int(v) for k, v in marks.items()} for kind, marks in self._data.marks.items()}

    @api("GetCurrentVideoItem()")
    def GetCurrentVideoItem(self):
        at = self._data.playhead
        for track in reversed(self._data.video):  # the top enabled track wins, as on the viewer
            for item in track.items if track.enabled else []:
                if at is not None and item.start <= at < item.end:
                    return TimelineItem(self._owner, item, self._data)
        return None

    @api("Export(fileName, exportType, exportSubtype)")
    def Export(self, fileName, exportType, exportSubtype=None):
        if not isinstance(exportType, int) or isinstance(exportType, bool):
            return False  # a string instead of the live constant: silently nothing
        owner = self._owner
        if exportType == owner._constant("EXPORT_OTIO"):
            otio_io.write_resolve_otio(self._data, fileName)
            return True
        if exportType == owner._constant("EXPORT_FCPXML_1_10"):
            otio_io.write_fcpxml(self._data, fileName)
            return True
        return False


class Folder(Remote):
    def __init__(self, owner, data: FolderData) -> None:
        self._owner, self._data = owner, data

    @api("GetName()")
    def GetName(self):
        return self._data.name

    @api("GetClipList()")
    def GetClipList(self):
        return [MediaPoolItem(self._owner, m) for m in self._data.clips]

    @api("GetSubFolderList()")
    def GetSubFolderList(self):
        return [Folder(self._owner, f) for f in self._data.subfolders]

    @api("GetUniqueId()")
    def GetUniqueId(self):
        return self._data.uid


class MediaPool(Remote):
    def __init__(self, owner, project: ProjectData) -> None:
        self._owner, self._project = owner, project

    @api("GetRootFolder()")
    def GetRootFolder(self):
        return Folder(self._owner, self._project.root)

    @api("AddSubFolder(folder, name)")
    def AddSubFolder(self, folder, name):
        made = FolderData(name)
        folder._data.subfolders.append(made)
        return Folder(self._owner, made)

    @api("GetCurrentFolder()")
    def GetCurrentFolder(self):
        return Folder(self._owner, self._project.folder)

    @api("SetCurrentFolder(Folder)")
    def SetCurrentFolder(self, Folder):
        self._project.folder = Folder._data
        return True

    @api("ImportMedia([items...])")
    def ImportMedia(self, items):
        assert isinstance(items, list), "ImportMedia takes a list of paths"
        made = []
        for path in items:
            assert isinstance(path, str), "this double knows the list-of-paths form only"
            if any(m.path == path for m in self._project.folder.clips):
                continue  # already in this bin: Resolve does not import it twice
            media = probe(path, self._project.rate)
            if media is not None:
                self._project.folder.clips.append(media)
                made.append(MediaPoolItem(self._owner, media))
        return made

    @api("DeleteClips([clips])")
    def DeleteClips(self, clips):
        doomed = {c._media for c in clips}
        for folder in self._project.root.walk():
            folder.clips = [m for m in folder.clips if m not in doomed]
        for timeline in self._project.timelines:
            for track in timeline.video + timeline.audio:
                track.items = [i for i in track.items if i.media not in doomed]
        return True

    @api('AppendToTimeline([{clipInfo}, ...])')
    def AppendToTimeline(self, *clipInfos):
        assert len(clipInfos) == 1 and isinstance(clipInfos[0], list), "this double knows the list-of-clipInfo form only"
        timeline = self._project.current
        made = []
        for info in clipInfos[0]:
            unknown = set(info) - {"mediaPoolItem", "startFrame", "endFrame", "mediaType", "trackIndex", "recordFrame"}
            assert not unknown, f"clipInfo keys {unknown} are not documented"
            for key in ("startFrame", "endFrame", "recordFrame"):
                assert key not in info or isinstance(info[key], (int, float)), f"{key} is a float/int"
            assert info.get("mediaType", 1) in (1, 2) and isinstance(info.get("trackIndex", 1), int)
            media = info["mediaPoolItem"]._media
            kind = "audio" if info.get("mediaType") == 2 or media.kind == "audio" else "video"
            track = Timeline(self._owner, timeline)._track(kind, info.get("trackIndex", 1))
            first = int(info.get("startFrame", 0))
            end = min(int(info.get("endFrame", media.frames)), media.frames)  # endFrame is exclusive
            record = int(info.get("recordFrame", max([i.end for i in track.items], default=timeline.start_frame)))
            item = Item(media, media.name, record, end - first, left_offset=first)
            if track.locked:
                continue  # a locked track takes nothing
            if not track.overlaps(item.start, item.end):
                track.place(item)
            made.append(TimelineItem(self._owner, item, timeline))  # a dropped append still returns its phantom
        return made

    @api("ImportTimelineFromFile(filePath, {importOptions})")
    def ImportTimelineFromFile(self, filePath, importOptions=None):
        options = dict(importOptions or {})
        assert set(options) <= {"timelineName", "importSourceClips", "sourceClipsPath", "sourceClipsFolders",
                                "interlaceProcessing"}, options
        name = options.get("timelineName")
        if name and any(t.name == name for t in self._project.timelines):
            return None
        data = otio_io.read_into_timeline(filePath, self._project, options.get("importSourceClips", True))
        if data is None:
            return None
        data.name = name or data.name
        self._project.timelines.append(data)
        return Timeline(self._owner, data)


class Project(Remote):
    def __init__(self, owner, data: ProjectData) -> None:
        self._owner, self._data = owner, data

    @api("GetName()")
    def GetName(self):
        return self._data.name

    @api("GetMediaPool()")
    def GetMediaPool(self):
        return MediaPool(self._owner, self._data)

    @api("GetCurrentTimeline()")
    def GetCurrentTimeline(self):
        return Timeline(self._owner, self._data.current) if self._data.current else None

    @api("GetTimelineCount()")
    def GetTimelineCount(self):
        return len(self._data.timelines)

    @api("GetTimelineByIndex(idx)")
    def GetTimelineByIndex(self, idx):
        assert 1 <= idx <= len(self._data.timelines), "1 <= idx <= project.GetTimelineCount()"
        return Timeline(self._owner, self._data.timelines[idx - 1])

    @api("SetCurrentTimeline(timeline)")
    def SetCurrentTimeline(self, timeline):
        self._data.current = timeline._data
        return True

    @api("GetSetting(settingName)")
    def GetSetting(self, settingName=None):
        settings = {"timelineFrameRate": self._data.rate_setting()}
        return settings if not settingName else settings.get(settingName, "")


class ProjectManager(Remote):
    def __init__(self, owner, project: Optional[ProjectData]) -> None:
        self._owner, self._project = owner, project

    @api("GetCurrentProject()")
    def GetCurrentProject(self):
        return Project(self._owner, self._project) if self._project else None


def frames_at(rate: Fraction, seconds: float) -> int:
    return int(round(seconds * rate))
