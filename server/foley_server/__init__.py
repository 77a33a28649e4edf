"""Foley Bridge server: synchronized Foley generation behind a local API and the `foley` command."""

__version__ = "0.1.0"
