"""The generated WAVs in the media pool: a bin `Foley`, each WAV tagged with the clip it was made for."""

import os
from typing import Any, Dict

from .errors import ApplyFailed

FOLEY_BIN = "Foley"
#: Third-party metadata on a WAV's media-pool item: the unique id of the picture clip it was made for,
#: so a second run finds (and replaces) the Foley of that clip wherever it is on the timeline.
SOURCE_KEY = "Foley Bridge Source"


def same_file(a: str, b: str) -> bool:
    return os.path.normcase(os.path.normpath(a or "")) == os.path.normcase(os.path.normpath(b or ""))


def foley_bin(media_pool: Any) -> Any:
    """The `Foley` bin under the media pool's root, made on first use."""
    root = media_pool.GetRootFolder()
    for folder in root.GetSubFolderList() or []:
        if folder.GetName() == FOLEY_BIN:
            return folder
    made = media_pool.AddSubFolder(root, FOLEY_BIN)
    if made is None:
        raise ApplyFailed("Resolve did not create the media-pool bin {!r}; create it by hand and run this "
                          "again".format(FOLEY_BIN))
    return made


def source_of(pool_item: Any) -> str:
    """The picture clip a Foley WAV was made for ('' for any other media)."""
    return (pool_item.GetThirdPartyMetadata(SOURCE_KEY) or "") if pool_item is not None else ""


def import_wavs(media_pool: Any, sources: Dict[str, str]) -> Dict[str, Any]:
    """Import {wav path: source clip id} into the Foley bin; {wav path: media-pool item}.

    A rerun writes a clip's WAV under the same name: the bin's older item of that file is removed
    first (its timeline items are gone by then), so Resolve reads the new audio, not its cache.
    """
    folder = foley_bin(media_pool)
    stale = [item for item in folder.GetClipList() or []
             if any(same_file(item.GetClipProperty("File Path"), path) for path in sources)]
    if stale and not media_pool.DeleteClips(stale):
        raise ApplyFailed("Resolve did not remove the earlier copies of the Foley WAVs from the bin {!r}; delete "
                          "them there and run this again".format(FOLEY_BIN))
    previous = media_pool.GetCurrentFolder()
    media_pool.SetCurrentFolder(folder)
    try:
        imported = media_pool.ImportMedia(list(sources)) or []
    finally:
        if previous is not None:
            media_pool.SetCurrentFolder(previous)
    found = {}
    for item in imported:
        for path in sources:
            if same_file(item.GetClipProperty("File Path"), path):
                found[path] = item
    missing = [path for path in sources if path not in found]
    if missing:
        raise ApplyFailed("Resolve did not import {} into the media pool; check that the file(s) exist and play, then "
                          "run this again".format(", ".join(missing)))
    for path, item in found.items():
        item.SetThirdPartyMetadata(SOURCE_KEY, sources[path])
    return found
