"""Errors of the shared OTIO logic; plain exceptions so plugins need nothing from the server."""


class FoleyOtioError(Exception):
    """Base for timeline problems the user can fix in their editor or files."""


class TimelineReadError(FoleyOtioError):
    """The timeline file is missing, of an unknown kind, or malformed."""


class ClipNotFoundError(FoleyOtioError):
    """A requested clip name or id is not in the timeline."""


class UnsupportedClipError(FoleyOtioError):
    """A clip cannot be given Foley as it is (speed change, zero length, nesting)."""
