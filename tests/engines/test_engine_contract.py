"""The engine contract: engines found by entry point, cached per (name, device, precision), progress and
out-of-memory handling in the renderer."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from foley_server.config import get_profile
from foley_server.engines.base import Audio, CancelToken, ClipRequest, EngineCaps, EngineError, EngineOutOfMemory, SoundSpec, VisualEvents
from foley_server.engines.cache import EngineCache
from foley_server.engines.registry import create_engine, engine_names, register_engine
from foley_server.pipeline.render import MasterSettings, StemOutput, render_clip

TOY_ENGINE = '''
import numpy as np
from foley_server.engines.base import Audio, EngineCaps, Layer, SoundSpec


class ToyEngine:
    """A third party's engine: a 440 Hz tone for every prompt."""

    name = "toy"

    def capabilities(self):
        return EngineCaps(needs_weights=False, devices=("cpu",), max_chunk_s=5.0, sample_rate=24000, channels=1)

    def interpret(self, prompt, negative_prompt=None, events=None):
        return SoundSpec(prompt or "", negative_prompt or "", (Layer("ambience", "tone"),), summary=f"tone for {prompt!r}")

    def ready(self):
        pass

    def load(self, device, profile):
        pass

    def unload(self):
        pass

    def generate(self, req, progress, cancel):
        n = int(round(req.window_end_s * 24000)) - int(round(req.window_start_s * 24000))
        t = (int(round(req.window_start_s * 24000)) + np.arange(n)) / 24000
        progress(req.window_index + 1, req.window_count)
        return Audio((0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[:, None], 24000)
'''


@pytest.fixture
def cut_with_one_clip(tmp_path) -> Path:
    """An OTIO file with one 3-second clip named "Shot 1" over a generated video."""
    from fractions import Fraction

    from foley_otio.timeline_io import write_timeline
    from otio_fixtures import event_clip, otio_clip, timeline_with

    path = tmp_path / "cut.otio"
    write_timeline(timeline_with([otio_clip(event_clip(tmp_path, "Shot 1", Fraction(25)))], Fraction(25)), path)
    return path


def _installed_toy_package(root: Path) -> Path:
    """What `pip install toy-engine` would leave: a module and a dist-info declaring the entry point."""
    root.mkdir(parents=True)
    (root / "toy_engine.py").write_text(TOY_ENGINE)
    info = root / "toy_engine-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-engine\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[foley_bridge.engines]\ntoy = toy_engine:ToyEngine\n")
    return root


def test_the_contract_module_imports_no_engine():
    code = ("import sys, foley_server.engines.base, foley_server.engines.registry; "
            "print(any(m.startswith('foley_server.engines.procedural') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_the_built_in_engine_comes_through_the_entry_point_group():
    from importlib.metadata import entry_points

    assert "procedural" in {ep.name for ep in entry_points(group="foley_bridge.engines")}
    assert "procedural" in engine_names()
    assert create_engine("procedural").name == "procedural"


def test_an_unknown_engine_names_the_available_ones():
    with pytest.raises(EngineError, match="unknown engine 'nope'; available: .*procedural"):
        create_engine("nope")


def test_a_third_party_engine_is_added_by_installing_a_package(tmp_path, cut_with_one_clip):
    site = _installed_toy_package(tmp_path / "site")
    env = {"PYTHONPATH": str(site), "PATH": str(Path(sys.executable).parent)}
    foley = str(Path(sys.executable).with_name("foley"))
    listed = subprocess.run([foley, "engines"], capture_output=True, text=True, env=env, check=True).stdout
    assert "toy: no weights, devices cpu, 24000 Hz; ready" in listed
    out = tmp_path / "out.otio"
    done = subprocess.run([foley, "generate", str(cut_with_one_clip), "-o", str(out), "--engine", "toy", "-q",
                           "--no-pictures", "--prompt", "Shot 1=anything"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "tone for 'anything'" in out.read_text()  # the engine's own summary is the clip's metadata.foley.sound


class _Recorder:
    """An engine that records what it was asked and can run out of memory on demand."""

    name = "recorder"

    def __init__(self, oom_on: set[str] = frozenset()) -> None:
        self.oom_on = set(oom_on)
        self.calls: list[tuple[str, int, int]] = []
        self.unloaded = 0

    def capabilities(self) -> EngineCaps:
        return EngineCaps(needs_weights=False, devices=("cpu",), max_chunk_s=2.0, sample_rate=48000, channels=2)

    def interpret(self, prompt, negative_prompt=None, events=None) -> SoundSpec:
        return SoundSpec(prompt or "", negative_prompt or "", ())

    def ready(self) -> None:
        pass

    def load(self, device, profile) -> None:
        pass

    def unload(self) -> None:
        self.unloaded += 1

    def generate(self, req: ClipRequest, progress, cancel) -> Audio:
        self.calls.append((req.profile.name, req.window_index, req.window_count))
        if req.profile.name in self.oom_on:
            raise EngineOutOfMemory("CUDA out of memory (simulated)")
        for step in range(3):  # three "denoising steps" a window
            cancel.raise_if_cancelled()
            progress(req.window_index * 3 + step + 1, req.window_count * 3)
        n = int(round(req.window_end_s * 48000)) - int(round(req.window_start_s * 48000))
        return Audio(np.full((n, 2), 0.01, dtype=np.float32), 48000, seconds={"denoise": 0.5}, warnings=())


def _request(duration_s: float, profile: str = "balanced") -> ClipRequest:
    return ClipRequest("c", duration_s, 0.0, duration_s, VisualEvents.empty(duration_s), SoundSpec("", "", ()), 1,
                       get_profile(profile))


def test_engine_progress_reaches_the_caller_as_units_of_the_whole_clip(tmp_path):
    engine = _Recorder()
    seen = []
    report = render_clip(engine, _request(4.5), tmp_path / "c.wav", progress=lambda *a: seen.append(a))
    generate = [(done, total) for stage, done, total in seen if stage == "generate"]
    windows = report.windows
    assert windows == 3 and [c[1:] for c in engine.calls] == [(0, 3), (1, 3), (2, 3)]  # 2 s model max: 3 windows
    assert generate == [(i, 3 * windows) for i in range(1, 3 * windows + 1)]  # every step of every window, in order
    assert report.seconds["denoise"] == pytest.approx(0.5 * windows)  # the engine's own stage timings add up


def test_out_of_memory_drops_one_profile_level_for_that_window_and_says_so(tmp_path):
    engine = _Recorder(oom_on={"balanced"})
    warnings = []
    report = render_clip(engine, _request(3.0), tmp_path / "c.wav", on_warning=warnings.append)
    assert engine.calls[:2] == [("balanced", 0, 2), ("low-memory", 0, 2)]  # the window retried alone, one level down
    assert engine.calls[2:] == [("low-memory", 1, 2)]  # and the rest of the clip stays down
    assert len(warnings) == 1 and "out of device memory at profile balanced; retried at low-memory" in warnings[0]
    assert report.warnings == warnings and (tmp_path / "c.wav").is_file()


def test_out_of_memory_at_the_lowest_profile_fails_the_clip_with_advice(tmp_path):
    engine = _Recorder(oom_on={"balanced", "low-memory"})
    with pytest.raises(EngineError, match="out of device memory even with the low-memory profile.*close other programs"):
        render_clip(engine, _request(1.0), tmp_path / "c.wav")
    assert not (tmp_path / "c.wav").exists()


def test_cancel_between_steps_stops_the_window(tmp_path):
    engine = _Recorder()
    cancel = CancelToken()

    def progress(stage, done, total):
        if done == 2:
            cancel.cancel()

    from foley_server.errors import Cancelled

    with pytest.raises(Cancelled):
        render_clip(engine, _request(5.0), tmp_path / "c.wav", progress=progress, cancel=cancel)
    assert len(engine.calls) == 1 and list(tmp_path.iterdir()) == []


class _Preparer(_Recorder):
    """An engine whose model work needs no picture: it runs in prepare(), before the window's events."""

    def __init__(self, log: list) -> None:
        super().__init__()
        self.log = log

    def prepare(self, req, progress, cancel):
        self.log.append(("prepare", req.window_index))

    def generate(self, req, progress, cancel):
        self.log.append(("generate", req.window_index, len(req.events.onset_times_s)))
        return super().generate(req, progress, cancel)


def test_an_engine_prepares_each_window_before_the_renderer_waits_for_its_events(tmp_path):
    log: list = []

    def events_for(t: float) -> VisualEvents:  # what decoding hands out: a blocking wait, then the events
        log.append(("events", t))
        z = np.zeros(0)
        return VisualEvents(4.5, np.array([t - 0.5]), np.ones(1, dtype=np.float32), z, z.astype(np.float32), z)

    render_clip(_Preparer(log), _request(4.5), tmp_path / "c.wav", events_for=events_for)
    windows = [entry for entry in log if entry[0] != "events"]
    assert [e[0] for e in log] == ["prepare", "events", "generate"] * 3  # never the wait first
    assert windows[1::2] == [("generate", i, 1) for i in range(3)]  # generate gets the events that were waited for


def test_a_window_that_runs_out_of_memory_in_prepare_waits_for_its_events_once(tmp_path):
    log: list = []

    class Failing(_Preparer):
        def prepare(self, req, progress, cancel):
            super().prepare(req, progress, cancel)
            if req.profile.name == "balanced":
                raise EngineOutOfMemory("CUDA out of memory")

    calls = []
    render_clip(Failing(log), _request(1.0), tmp_path / "c.wav",
                events_for=lambda t: calls.append(t) or VisualEvents.empty(1.0))
    assert [e[0] for e in log] == ["prepare", "prepare", "generate"] and calls == [1.0]


class _RoleParts(_Recorder):
    """An engine that hands each window over split by role: a tone on the events, a fresh noise bed per window."""

    def __init__(self, roles: tuple[str, ...] = ("events", "ambience")) -> None:
        super().__init__()
        self.roles = roles

    def capabilities(self) -> EngineCaps:
        return replace(super().capabilities(), role_parts=True)

    def generate(self, req: ClipRequest, progress, cancel) -> Audio:
        n = super().generate(req, progress, cancel).samples.shape[0]
        start = int(round(req.window_start_s * 48000))
        tone = np.repeat(0.2 * np.sin(2 * np.pi * 220 * (start + np.arange(n)) / 48000), 2).reshape(n, 2)
        bed = 0.05 * np.random.default_rng(req.window_index).standard_normal((n, 2))
        tone, bed = tone.astype(np.float32), bed.astype(np.float32)
        parts = {"events": Audio(tone.copy(), 48000), "ambience": Audio(np.zeros_like(bed), 48000, fresh=bed.copy())}
        return Audio(tone, 48000, fresh=bed, parts={role: parts[role] for role in self.roles})


def _stems(folder: Path, *roles: str) -> dict[str, StemOutput]:
    return {role: StemOutput(folder / f"c.{role}.wav", MasterSettings(target_lufs=-30.0)) for role in roles}


def test_stems_come_from_the_mix_own_windows_and_add_up_to_it(tmp_path):
    """An engine with role parts is asked for each window once; its stems, unmastered, sum to the mix."""
    import soundfile as sf

    engine, seen = _RoleParts(), []
    report = render_clip(engine, _request(4.5), tmp_path / "c.wav", stems=_stems(tmp_path, "events", "ambience"),
                         progress=lambda *a: seen.append(a))
    assert [c[1] for c in engine.calls] == [0, 1, 2] and report.windows == 3  # no window generated twice
    generate = [(done, total) for stage, done, total in seen if stage == "generate"]
    assert generate == [(i, 9) for i in range(1, 10)]  # the mix's steps, not once more per stem
    master = [(done, total) for stage, done, total in seen if stage == "master"]
    assert master[-1] == (3 * report.frames, 3 * report.frames)  # mastering: the mix and both stems
    assert set(report.stems) == {"events", "ambience"}

    def unmastered(r) -> np.ndarray:
        audio, rate = sf.read(r.wav_path, always_2d=True)
        assert rate == 48000 and audio.shape[0] == r.frames == report.frames
        return audio / 10 ** (r.gain_db / 20)

    mix = unmastered(report)
    both = unmastered(report.stems["events"]) + unmastered(report.stems["ambience"])
    assert np.abs(both - mix).max() <= 1e-4 * np.abs(mix).max()  # the mix's own parts, joined the same way
    events = unmastered(report.stems["events"])
    t = np.arange(report.frames) / 48000
    expected = 0.2 * np.sin(2 * np.pi * 220 * t)
    middle = slice(4800, report.frames - 4800)  # clear of the edge fades; across both window joins
    assert np.abs(events[middle, 0] - expected[middle]).max() <= 1e-4  # a coherent part joins back to itself


def test_an_engine_that_leaves_out_a_role_part_fails_the_clip_and_delivers_nothing(tmp_path):
    with pytest.raises(EngineError, match="gave none for 'ambience'; this is an engine bug"):
        render_clip(_RoleParts(roles=("events",)), _request(1.0), tmp_path / "c.wav",
                    stems=_stems(tmp_path, "events", "ambience"))
    assert list(tmp_path.iterdir()) == []  # no WAV, no scratch file


def test_stems_in_one_pass_need_an_engine_with_role_parts(tmp_path):
    with pytest.raises(EngineError, match="renders no role parts; render its stems one role at a time"):
        render_clip(_Recorder(), _request(1.0), tmp_path / "c.wav", stems=_stems(tmp_path, "events"))
    assert list(tmp_path.iterdir()) == []


def test_a_cancel_while_mastering_delivers_neither_the_mix_nor_any_stem(tmp_path):
    from foley_server.errors import Cancelled

    cancel = CancelToken()

    def progress(stage, done, total):
        if stage == "master":  # the first output is written: the others would follow, but the user cancelled
            cancel.cancel()

    with pytest.raises(Cancelled):
        render_clip(_RoleParts(), _request(2.0), tmp_path / "c.wav", stems=_stems(tmp_path, "events", "ambience"),
                    progress=progress, cancel=cancel)
    assert list(tmp_path.iterdir()) == []  # the files appear together or not at all


def test_engines_are_cached_per_name_device_and_precision_and_unloaded_on_request():
    made: list[_Recorder] = []
    register_engine("recorder", lambda: made.append(_Recorder()) or made[-1])
    cache = EngineCache()
    balanced = get_profile("balanced")
    first, load_s = cache.get("recorder", "cpu", balanced)
    again, again_s = cache.get("recorder", "cpu", replace(balanced, name="other-bf16"))  # same precision: same engine
    assert again is first and again_s == 0.0 and load_s >= 0.0
    fp32, _ = cache.get("recorder", "cpu", get_profile("quality"))
    other_device, _ = cache.get("recorder", "cuda:1", balanced)
    assert len({id(first), id(fp32), id(other_device)}) == 3 and len(made) == 3
    assert cache.unload("recorder", "cpu") == 2
    assert [e.unloaded for e in made] == [1, 1, 0] and len(cache.loaded()) == 1
