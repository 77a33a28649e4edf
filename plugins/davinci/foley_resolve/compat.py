"""What differs between Resolve versions and editions, asked of the live objects.

Resolve's script objects answer `hasattr` for any name, so a call is looked up with `dir()`; where
a call is missing and Blackmagic's README documents an older form, the older form is used.
"""

from typing import Any, List, Tuple

from .errors import ExportFailed, NothingOpen, ResolveTooOld, ScriptingUnavailable

STUDIO = "Studio"
#: Free 21.1 and later run no Python menu scripts (Blackmagic moved Python scripting to Studio).
FREE_WITHOUT_PYTHON = (21, 1)

FILE_ROUND_TRIP = ("use the file round trip instead: File > Export > Timeline > OpenTimelineIO, then "
                   "`foley generate cut.otio -o cut_foley.otio`, then File > Import > Timeline (see the README)")


def offers(obj: Any, name: str) -> bool:
    """True when the live object lists `name` (a method or a constant)."""
    try:
        return name in dir(obj)
    except Exception:  # a remote object that cannot list itself offers nothing we can rely on
        return False


def version(resolve: Any) -> Tuple[int, ...]:
    """(major, minor, patch) of the running Resolve; (0,) when it does not say."""
    fields = resolve.GetVersion() if offers(resolve, "GetVersion") else None
    numbers = []
    for field in (fields or [])[:3]:
        try:
            numbers.append(int(field))
        except (TypeError, ValueError):
            break
    return tuple(numbers) or (0,)


def is_studio(resolve: Any) -> bool:
    return STUDIO in (resolve.GetProductName() or "")


def describe(resolve: Any) -> str:
    return "{} {}".format(resolve.GetProductName(), ".".join(str(n) for n in version(resolve)))


def current_project(resolve: Any) -> Any:
    """The open project; a clear error when scripting does not reach Resolve or nothing is open."""
    if resolve is None:
        raise ScriptingUnavailable(
            "no connection to DaVinci Resolve: run this from Workspace > Scripts inside Resolve (scripting from "
            "another program needs DaVinci Resolve Studio); " + FILE_ROUND_TRIP)
    manager = resolve.GetProjectManager()
    project = manager.GetCurrentProject() if manager else None
    if project is None:
        if not is_studio(resolve) and version(resolve) >= FREE_WITHOUT_PYTHON:
            raise ScriptingUnavailable(
                "{} does not run Python scripts (from 21.1 Python scripting is a Studio feature); {}".format(
                    describe(resolve), FILE_ROUND_TRIP))
        raise NothingOpen("no project is open in DaVinci Resolve: open one with a timeline and run this again")
    return project


def track_items(timeline: Any, kind: str, index: int) -> List[Any]:
    """The items on a track (1-based index), from GetItemListInTrack or, on older Resolve, GetItemsInTrack."""
    if offers(timeline, "GetItemListInTrack"):
        return list(timeline.GetItemListInTrack(kind, index) or [])
    if offers(timeline, "GetItemsInTrack"):  # the deprecated form: a dict keyed by position
        found = timeline.GetItemsInTrack(kind, index) or {}
        return [found[key] for key in sorted(found)]
    raise ResolveTooOld("this Resolve lists no timeline items (GetItemListInTrack); update DaVinci Resolve")


def export_format(resolve: Any) -> Tuple[str, Any]:
    """(suffix, the live export constant): OTIO (18.5+), else FCPXML 1.10; checked before anything else runs."""
    if offers(resolve, "EXPORT_OTIO"):
        return ".otio", resolve.EXPORT_OTIO
    if offers(resolve, "EXPORT_FCPXML_1_10"):
        return ".fcpxml", resolve.EXPORT_FCPXML_1_10
    raise ResolveTooOld("{} exports neither OTIO nor FCPXML 1.10 timelines; Foley Bridge needs DaVinci Resolve "
                        "18.5 or later".format(describe(resolve)))


def export_timeline(resolve: Any, timeline: Any, base_path: str) -> str:
    """Export the timeline beside `base_path` in the best format this Resolve writes; the path written."""
    suffix, kind = export_format(resolve)
    path = base_path + suffix
    if not timeline.Export(path, kind):
        raise ExportFailed("Resolve did not export timeline {!r} to {}; check that the folder is writable (or set "
                           "FOLEY_OUTPUT_DIR to another one) and try again".format(timeline.GetName(), path))
    return path
