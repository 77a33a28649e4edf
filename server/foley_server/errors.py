"""Errors that reach the user: each message says what went wrong and what to do about it."""

from __future__ import annotations


class FoleyError(Exception):
    """Base for every error the user should see as a sentence, not a traceback."""

    exit_code = 2


class TimelineError(FoleyError):
    """The timeline file cannot be read or is not usable."""


class SelectionError(FoleyError):
    """The requested clips do not exist or cannot be processed."""


class MediaError(FoleyError):
    """A clip's media is missing, unreadable or has no usable video."""


class OutputError(FoleyError):
    """The output location cannot be written."""


class Cancelled(FoleyError):
    """The job was cancelled by the user."""

    exit_code = 130
