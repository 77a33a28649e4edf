"""The option that leaves the open timeline untouched: a new timeline "<timeline> (Foley)" imported from
the server's result OTIO, which keeps Resolve's own OTIO dialect."""

import json
import os
from typing import Any, List

from .apply import Placement, placed_on
from .compat import offers
from .errors import ApplyFailed, FoleyResolveError, ResolveTooOld
from .media_pool import import_wavs
from .settings import safe_folder_name

SUFFIX = " (Foley)"


def timeline_names(project: Any) -> List[str]:
    return [project.GetTimelineByIndex(i).GetName() for i in range(1, int(project.GetTimelineCount()) + 1)]


def check_name_free(resolve: Any, project: Any, name: str) -> None:
    """Refuse before any work: Resolve's importer answers None when the name is taken."""
    if not offers(resolve, "EXPORT_OTIO"):  # OTIO import and export both came with 18.5
        raise ResolveTooOld("a new Foley timeline needs DaVinci Resolve 18.5 or later (OTIO import); set "
                            "\"new_timeline\": false in the Foley Bridge config to add the Foley to this timeline")
    if name in timeline_names(project):
        raise FoleyResolveError("a timeline named {!r} already exists; rename or delete it and run this "
                                "again".format(name))


def write_json(path: str, document: dict) -> None:
    """Whole or not at all: Resolve must never import half a timeline."""
    partial = path + ".partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    os.replace(partial, path)


def import_result(media_pool: Any, result_timeline: dict, folder: str, name: str,
                  placements: List[Placement]) -> Any:
    """Import the result as timeline `name`, its WAVs already in the pool (else Resolve may leave them offline)."""
    path = os.path.join(folder, safe_folder_name(name) + ".otio")
    write_json(path, result_timeline)
    import_wavs(media_pool, {p.path: p.source.unique_id for p in placements})
    made = media_pool.ImportTimelineFromFile(path, {"timelineName": name, "importSourceClips": True})
    if made is None:
        raise ApplyFailed("Resolve did not import the Foley timeline {}; import it by hand with File > Import > "
                          "Timeline".format(path))
    if placed_on(made, placements) is None:
        raise ApplyFailed("the new timeline {!r} lacks some of the Foley; import {} by hand with File > Import > "
                          "Timeline".format(name, path))
    return made
