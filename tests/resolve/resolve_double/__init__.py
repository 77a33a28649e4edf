"""A DaVinci Resolve double for tests: the scripting README's calls, with Resolve's own rules (see objects.py)."""

from .model import FolderData, Item, Media, ProjectData, TimelineData, Track, probe
from .remote import MissingOnThisVersion, UndocumentedCall
from .resolve import FREE, STUDIO, ResolveDouble

__all__ = ["FREE", "STUDIO", "FolderData", "Item", "Media", "MissingOnThisVersion", "ProjectData", "ResolveDouble",
           "TimelineData", "Track", "UndocumentedCall", "probe"]
