"""`foley serve`: the local server under uvicorn, safe by default."""

from __future__ import annotations

import argparse
from pathlib import Path

from .api.settings import ServerSettings, is_loopback, resolve_token


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from .api.app import create_app

    settings = resolve_token(ServerSettings(
        host=args.host, port=args.port, data_dir=args.data_dir, token=args.token,
        extra_hosts=tuple(args.allow_host), allowed_origins=tuple(args.allow_origin),
        allowed_roots=tuple(str(r) for r in (args.allow_root or [Path.home()])),
    ))
    if not is_loopback(settings.host):
        print(f"foley: listening beyond this machine on {settings.host}; clients need the token in "
              f"{settings.data_dir / 'token'} (or the one given with --token)", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0
