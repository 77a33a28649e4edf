"""`foley serve`: the local server under uvicorn, safe by default, logging to a rotating file."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
from pathlib import Path

from .api.settings import ServerSettings, is_loopback, resolve_token
from .engines.registry import create_engine, engine_names
from .errors import FoleyError
from .jobs.scheduler import resolve_devices

LOG_FILE = "logs/foley-server.log"
LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5


def configure_logging(data_dir: Path) -> Path:
    """Job events and server messages to the console and to `<data-dir>/logs/foley-server.log` (rotated)."""
    path = data_dir / LOG_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    console = logging.StreamHandler()
    logger = logging.getLogger("foley")
    for handler in (file_handler, console):
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from .api.app import create_app

    if args.engine and args.engine not in engine_names():
        raise FoleyError(f"unknown engine {args.engine!r}; available: {', '.join(engine_names())}")
    if args.weights and not args.engine:
        raise FoleyError("--weights goes with --engine NAME (the engine whose model is in that folder)")
    weights = ((args.engine, str(args.weights)),) if args.weights else ()
    if args.engine:
        create_engine(args.engine, args.weights).ready()  # missing extras or weights: say so before serving
    settings = resolve_token(ServerSettings(
        host=args.host, port=args.port, data_dir=args.data_dir, token=args.token,
        extra_hosts=tuple(args.allow_host), allowed_origins=tuple(args.allow_origin),
        allowed_roots=tuple(str(r) for r in (args.allow_root or [Path.home()])),
        devices=tuple(resolve_devices(args.devices)), preload_engine=args.engine,
        keep_days=args.keep_days, keep_mb=args.keep_mb, weights=weights,
    ))
    log_path = configure_logging(settings.data_dir)
    if not is_loopback(settings.host):
        print(f"foley: listening beyond this machine on {settings.host}; clients need the token in "
              f"{settings.data_dir / 'token'} (or the one given with --token)", flush=True)
    logging.getLogger("foley").info("serving on %s:%d, workers on %s, log in %s", settings.host, settings.port,
                                    ", ".join(settings.devices), log_path)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0
