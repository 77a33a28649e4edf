"""Model engines on diffusers (stable-audio, audioldm2): text-to-audio made picture-synced by composition.

Importing this package imports no torch or diffusers; they load when an engine loads.
"""
