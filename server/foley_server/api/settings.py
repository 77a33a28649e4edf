"""Server settings and the access token that non-loopback binds require."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FoleyError

DEFAULT_PORT = 7865
MAX_BODY_BYTES = 64 * 1024 * 1024  # an inline OTIO of a long feature fits; a runaway upload does not
TOKEN_FILE = "token"


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerSettings:
    """What `foley serve` was started with, resolved once."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=lambda: Path.home() / ".foley-bridge")
    token: str | None = None  # required on every request when set
    extra_hosts: tuple[str, ...] = ()  # names besides loopback that may appear in the Host header
    allowed_origins: tuple[str, ...] = ()  # web origins allowed to call (editors' plugins send none)
    max_body_bytes: int = MAX_BODY_BYTES
    allowed_roots: tuple[str, ...] = ()  # folders timelines, media and outputs must lie in; default: home
    devices: tuple[str, ...] = ("cpu",)  # one worker per device
    preload_engine: str | None = None  # loaded at start, so the first job spends no time loading it
    keep_days: float = 30.0  # finished jobs are forgotten after this long (their WAVs stay)
    keep_mb: float = 256.0  # and the oldest finished jobs beyond this much stored request/result data
    weights: tuple[tuple[str, str], ...] = ()  # (engine name, weights folder) given on the command line

    @property
    def allowed_hosts(self) -> set[str]:
        """Host header names accepted (DNS-rebinding defence): loopback names, the bind address, extras."""
        hosts = {"localhost", "127.0.0.1", "::1", "[::1]", *self.extra_hosts}
        if not is_loopback(self.host) and self.host not in ("0.0.0.0", "::"):
            hosts.add(self.host)
        return hosts


def resolve_token(settings: ServerSettings) -> ServerSettings:
    """Binding beyond loopback needs a token: use the given one or create/read `<data_dir>/token` (0600)."""
    if is_loopback(settings.host) and settings.token is None:
        return settings
    if settings.token:
        return settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / TOKEN_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
    token = path.read_text().strip()
    if not token:
        raise FoleyError(f"token file {path} is empty; delete it to have a new token generated")
    from dataclasses import replace

    return replace(settings, token=token)
