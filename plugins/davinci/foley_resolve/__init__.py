"""DaVinci Resolve side of Foley Bridge: choose clips, send the exported timeline, put the Foley back.

Resolve runs its menu scripts on the user's own Python (3.6 and up) without packages: everything
here is standard library in Python 3.6 syntax, and the OTIO work happens on the server.
"""

__version__ = "0.1.0"
