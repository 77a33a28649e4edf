"""OTIO adapter plugins of Foley Bridge (found through the `opentimelineio.plugins` entry point)."""
