"""`foley` command: generate | demo | doctor | engines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import FoleyError


def _add_generate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", type=Path, help="timeline: .otio, .otioz, .fcpxml, .xml (FCP 7) or .edl")
    p.add_argument("-o", "--output", type=Path, required=True, help="output timeline (.otio recommended)")
    p.add_argument("--clip", action="append", default=[], metavar="NAME_OR_ID", help="only these clips (repeatable); default all video clips")
    p.add_argument("--prompt", action="append", default=[], metavar="NAME=TEXT", help="what a clip should sound like (repeatable)")
    p.add_argument("--engine", default="procedural", help="Foley engine (see `foley engines`); default procedural")
    p.add_argument("--weights", type=Path, metavar="DIR",
                   help="folder with the engine's model (see `foley weights`); default: FOLEY_WEIGHTS_<ENGINE> or the Hugging Face cache")
    p.add_argument("--device", default="auto", help="auto (first CUDA GPU, else cpu), cpu, or cuda:N")
    p.add_argument("--profile", default="balanced", help="quality profile: quality, balanced, fast, low-memory")
    p.add_argument("--seed", type=int, default=0, help="base seed; the same seed gives the same sound")
    p.add_argument("--output-dir", type=Path, help="where WAVs go; default <output>.foley/ beside the output timeline")
    p.add_argument("--no-pictures", action="store_true", help="skip the waveform PNG per clip")
    p.add_argument("--stems", action="store_true",
                   help="also write one WAV per layer type on tracks Foley FX / Foley Movement / Foley Ambience")
    p.add_argument("--edl-rate", type=float, default=24.0, help="frame rate for EDL input (EDL files do not say)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foley", description="Synchronized Foley for video timelines (OTIO in, OTIO out).")
    parser.add_argument("--version", action="version", version=f"foley-bridge {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_generate_args(sub.add_parser("generate", help="add Foley tracks to a timeline"))
    demo = sub.add_parser("demo", help="make a synthetic cut and run the pipeline on it")
    demo.add_argument("--out", type=Path, default=Path("demo-out"), help="folder for the demo cut and its results")
    demo.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    demo.add_argument("--pack", action="store_true", help="also write a listening pack: a WAV and a spectrogram per sound model")
    serve = sub.add_parser("serve", help="run the local server the editor plugins talk to")
    serve.add_argument("--host", default="127.0.0.1", help="bind address; anything but loopback requires a token")
    serve.add_argument("--port", type=int, default=7865)
    serve.add_argument("--data-dir", type=Path, default=Path.home() / ".foley-bridge", help="jobs, logs and the token file")
    serve.add_argument("--token", help="access token (default: generated into <data-dir>/token when binding beyond loopback)")
    serve.add_argument("--allow-host", action="append", default=[], help="extra Host header name to accept (repeatable)")
    serve.add_argument("--allow-origin", action="append", default=[], help="web origin allowed to call (repeatable)")
    serve.add_argument("--allow-root", action="append", type=Path, default=[],
                       help="folder timelines, media and outputs may be in (repeatable; default: your home folder)")
    serve.add_argument("--devices", default="auto", help="auto (every CUDA GPU, else cpu), cpu, or e.g. cuda:0,cuda:1; one worker each")
    serve.add_argument("--engine", help="engine to load at start so the first job spends no time loading it")
    serve.add_argument("--weights", type=Path, metavar="DIR", help="folder with the --engine's model (see `foley weights`)")
    serve.add_argument("--keep-days", type=float, default=30.0, help="forget finished jobs after this many days (WAVs stay)")
    serve.add_argument("--keep-mb", type=float, default=256.0,
                       help="keep at most this much finished-job data in the data dir, oldest forgotten first")
    sub.add_parser("doctor", help="what works here: decoder, device, engines")
    sub.add_parser("engines", help="list engines and their sound models")
    sub.add_parser("weights", help="where each engine looks for its model weights, and what it found")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "generate":
            from .generate import generate_command

            return generate_command(args)
        if args.command == "demo":
            from .demo.run import demo_command

            return demo_command(args.out, quiet=args.quiet, pack=args.pack)
        if args.command == "serve":
            from .serve import serve_command

            return serve_command(args)
        if args.command == "doctor":
            from .doctor import doctor_command

            return doctor_command()
        if args.command == "engines":
            from .doctor import engines_command

            return engines_command()
        if args.command == "weights":
            from .doctor import weights_command

            return weights_command()
    except FoleyError as exc:
        print(f"foley: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("foley: interrupted; no partial files were left under final names", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
