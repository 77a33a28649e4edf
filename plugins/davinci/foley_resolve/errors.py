"""What can stop a Resolve run, each with a message that says what the user can do."""


class FoleyResolveError(Exception):
    """Base: `str(error)` is shown as it is, in the Console and in the dialog."""


class ScriptingUnavailable(FoleyResolveError):
    """No live `resolve` object, or this edition does not run Python scripts."""


class ResolveTooOld(FoleyResolveError):
    """A call this plugin needs is missing and the README documents no older form of it."""


class NothingOpen(FoleyResolveError):
    """No project or no timeline is open."""


class NoClipsChosen(FoleyResolveError):
    """None of the choice rules found a clip."""


class MediaOffline(FoleyResolveError):
    """A chosen clip's media file is not where the Media Pool says."""


class TrackLocked(FoleyResolveError):
    """A Foley track that must change is locked."""


class ExportFailed(FoleyResolveError):
    """Resolve did not write the timeline export, or the server cannot find the chosen clips in it."""


class ApplyFailed(FoleyResolveError):
    """Resolve did not put the Foley where it was asked to (read back from the timeline)."""
