"""Thin client of the Foley Bridge server, shared by the editor plugins (no server code, stdlib + websockets)."""

from .background import BackgroundJob, drain
from .client import DEFAULT_URL, FoleyClient
from .errors import AuthRequired, FoleyClientError, JobCancelled, JobFailed, RequestRefused, ServerUnavailable

__all__ = [
    "DEFAULT_URL", "AuthRequired", "BackgroundJob", "FoleyClient", "FoleyClientError", "JobCancelled", "JobFailed",
    "RequestRefused", "ServerUnavailable", "drain",
]
