"""stable-audio and audioldm2 on tiny random-initialised pipelines saved in diffusers layout and loaded
through the engines' real loading path: weights discovery, composition on the picture, progress,
cancel, out-of-memory fallback, long clips."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
import soundfile as sf
from audio_checks import wav_onsets

from foley_otio.ranges import record_range
from foley_otio.timeline_io import read_timeline, write_timeline
from foley_server.cli import main
from foley_server.config import get_profile
from foley_server.engines.base import CancelToken, ClipRequest, EngineUnavailable, VisualEvents
from foley_server.engines.neural import oneshots, prompting, runtime
from foley_server.engines.registry import create_engine
from foley_server.errors import Cancelled
from foley_server.generate import generate
from otio_fixtures import event_clip, otio_clip, timeline_with

ENGINES = ["stable-audio", "audioldm2"]
# The `foley generate` cases run where this says: cuda:0 on a lent GPU machine (bench/gpu_wheels.sh prints
# that command), so its bf16, torchaudio and CUDA memory paths meet the same assertions as the CPU's.
DEVICE = os.environ.get("FOLEY_TEST_DEVICE", "cpu")
RATE = Fraction(25)


@pytest.fixture(autouse=True)
def no_weights_elsewhere(monkeypatch, tmp_path):
    """Only what a test gives: no FOLEY_WEIGHTS_* from the environment, an empty Hugging Face cache."""
    for name in ("FOLEY_WEIGHTS_STABLE_AUDIO", "FOLEY_WEIGHTS_AUDIOLDM2"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-hf-cache"))


# -- prompts and one-shots -------------------------------------------------------------------------------

def test_each_clause_becomes_a_sub_prompt_for_its_role():
    spec = prompting.interpret("stable-audio", "boots on gravel, light wind, cloth rustle")
    roles = {layer.role: layer.params for layer in spec.layers}
    assert roles["events"]["clause"] == "boots on gravel" and "single isolated sound effect" in roles["events"]["text"]
    assert roles["ambience"]["clause"] == "light wind" and "background ambience" in roles["ambience"]["text"]
    assert roles["movement"]["clause"] == "cloth rustle"
    assert spec.summary == "stable-audio: events: 'boots on gravel' + ambience: 'light wind' + movement: 'cloth rustle'"
    assert prompting.interpret("x", "ambience: distant thunder").layers[0].role == "ambience"  # an explicit role wins
    empty = prompting.interpret("x", "")
    assert [l.role for l in empty.layers] == ["events", "movement", "ambience"] and not empty.warnings


def test_a_one_shot_starts_at_its_attack_and_ends_with_its_sound():
    rate = 44_100
    rng = np.random.default_rng(1)
    take = 0.002 * rng.standard_normal((2 * rate, 2)).astype(np.float32)  # the model's noise floor
    hit = int(0.4 * rate)
    decay = np.exp(-np.arange(int(0.3 * rate)) / (0.05 * rate)).astype(np.float32)[:, None]
    take[hit:hit + len(decay)] += decay * rng.standard_normal((len(decay), 2)).astype(np.float32)
    trimmed = oneshots.trim_to_attack(take, rate)
    start = oneshots.attack_sample(take.mean(axis=1), rate)
    assert abs(start - hit) <= 0.002 * rate  # the attack found within 2 ms
    assert np.abs(trimmed[: int(0.002 * rate)]).max() > 0.3  # and the take starts with it
    assert 0.2 * rate < len(trimmed) < 0.9 * rate  # cut once the hit has died away, not at 2 s
    assert np.abs(trimmed).max() == pytest.approx(1.0)


# -- weights ---------------------------------------------------------------------------------------------

def test_missing_weights_say_what_to_download_and_where_to_put_it():
    with pytest.raises(EngineUnavailable) as err:
        create_engine("stable-audio").ready()
    text = str(err.value)
    for part in ("no weights found", "stabilityai/stable-audio-open-1.0", "accept the licence", "hf download",
                 "--weights DIR", "FOLEY_WEIGHTS_STABLE_AUDIO"):
        assert part in text, part
    with pytest.raises(EngineUnavailable, match="cvssp/audioldm2") as err:
        create_engine("audioldm2").ready()
    assert "accept the licence" not in str(err.value)  # not gated


def test_an_incomplete_folder_lists_the_missing_files(tiny_weights, tmp_path):
    import shutil

    broken = Path(shutil.copytree(tiny_weights["stable-audio"], tmp_path / "partial"))
    weights_file = next((broken / "transformer").glob("*.safetensors"))
    weights_file.unlink()
    (broken / "tokenizer" / "tokenizer_config.json").unlink()
    with pytest.raises(EngineUnavailable) as err:
        create_engine("stable-audio", broken).ready()
    assert f"weights folder {broken} (from --weights) is not a complete" in str(err.value)
    assert "transformer/diffusion_pytorch_model.safetensors" in str(err.value)
    assert "tokenizer/tokenizer_config.json" in str(err.value)


def test_weights_are_found_in_the_environment_variable_and_the_hugging_face_cache(tiny_weights, tmp_path, monkeypatch, capsys):
    import shutil

    monkeypatch.setenv("FOLEY_WEIGHTS_AUDIOLDM2", str(tiny_weights["audioldm2"]))
    create_engine("audioldm2").ready()
    cache = tmp_path / "hf"
    snapshot = cache / "models--stabilityai--stable-audio-open-1.0" / "snapshots" / "0123abcd"
    shutil.copytree(tiny_weights["stable-audio"], snapshot)
    (cache / "models--stabilityai--stable-audio-open-1.0" / "refs").mkdir()
    (cache / "models--stabilityai--stable-audio-open-1.0" / "refs" / "main").write_text("0123abcd")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    create_engine("stable-audio").ready()
    assert main(["weights"]) == 0
    out = capsys.readouterr().out
    assert f"FOLEY_WEIGHTS_AUDIOLDM2: {tiny_weights['audioldm2']}: complete" in out
    assert f"-> uses {snapshot}" in out


def test_the_cli_refuses_a_model_engine_without_weights_before_reading_anything(tmp_path, capsys):
    code = main(["generate", str(tmp_path / "not-read.otio"), "-o", str(tmp_path / "o.otio"), "--engine", "stable-audio"])
    assert code == 2
    assert "stable-audio: no weights found" in capsys.readouterr().err
    assert not (tmp_path / "o.otio").exists()


def test_the_server_refuses_to_start_with_a_model_engine_it_cannot_load(tmp_path, capsys):
    code = main(["serve", "--data-dir", str(tmp_path / "data"), "--engine", "audioldm2", "--weights", str(tmp_path / "none")])
    assert code == 2
    err = capsys.readouterr().err
    assert f"weights folder {tmp_path / 'none'} (from --weights)" in err and "(folder does not exist)" in err


# -- generation through foley generate ------------------------------------------------------------------

def _cut(tmp_path: Path, prompt: str, *, visible_s: float = 3.0, event_s=(0.8, 2.6), size=(320, 180)):
    ec = event_clip(tmp_path, "Shot", RATE, seconds=visible_s + 1.0, visible_s=visible_s, event_s=event_s)
    if size != (320, 180):
        from foley_server.demo.footage import write_event_video

        write_event_video(ec.media, fps=RATE, n_frames=int(round((visible_s + 1.0) * RATE)), event_frames=ec.event_frames,
                          size=size)
    timeline = timeline_with([otio_clip(ec, metadata={"prompt": prompt})], RATE)
    src = tmp_path / "in.otio"
    write_timeline(timeline, src)
    return src, ec


def _expected_calls(engine, profile, duration_s: float, events: int, beds: int) -> tuple[int, int]:
    """(windows, model calls) the composition needs: one batched call for the takes, one per window for beds."""
    caps = engine.capabilities()
    overlap = min(profile.overlap_s, min(profile.chunk_s, caps.max_chunk_s) / 4)
    chunk = min(profile.chunk_s, caps.max_chunk_s - overlap)
    windows = math.ceil(round(duration_s * caps.sample_rate) / round(chunk * caps.sample_rate))
    oneshot_calls = math.ceil(events * profile.variants / profile.batch) if events else 0
    return windows, oneshot_calls + (windows * math.ceil(beds / profile.batch) if beds else 0)


@pytest.mark.parametrize("name", ENGINES)
def test_foley_generate_places_model_one_shots_on_the_picture(name, tiny_weights, tmp_path):
    """A 1080p clip with hidden events: the WAV's transients land within one frame of them."""
    src, ec = _cut(tmp_path, "wooden knocks", size=(1920, 1080))
    seen = []
    out = tmp_path / "out.otio"
    outcome = generate(src, out, engine=name, weights=tiny_weights[name], profile="fast", device=DEVICE, pictures=False,
                       progress=seen.append)
    assert not outcome.failed, [c.error for c in outcome.failed]
    result = read_timeline(out)
    source = next(c for c in result.tracks[0].find_clips())
    foley = next(c for t in result.tracks if t.kind == otio.schema.TrackKind.Audio for c in t.find_clips())
    assert record_range(foley, result) == record_range(source, result)  # placement exact
    wav = otio.url_utils.filepath_from_url(foley.media_reference.target_url)
    info = sf.info(wav)
    assert (info.samplerate, info.subtype, info.frames) == (48_000, "PCM_24", 3 * 48_000)
    expected = [(f - ec.in_frame) / float(RATE) for f in ec.event_frames]
    found = wav_onsets(wav)
    assert len(found) == len(expected) and np.all(np.abs(found - expected) <= 1 / float(RATE)), \
        (found, expected, wav, outcome.clips[0].events)
    assert foley.metadata["foley"]["sound"] == f"{name}: events: 'wooden knocks'"
    engine_seconds = outcome.seconds
    assert {"load", "encode", "denoise", "vae", "decode", "master", "conform"} <= set(engine_seconds)
    # Progress: every denoising step of every call, as units of the clip, ending at its total.
    steps = [e for e in seen if e.type == "progress" and e.stage == "generate"]
    engine = create_engine(name, tiny_weights[name])
    engine.load("cpu", get_profile("fast"))
    _, calls = _expected_calls(engine, get_profile("fast"), 3.0, events=1, beds=0)
    total = calls * get_profile("fast").steps
    assert [(e.done, e.total) for e in steps] == [(i, total) for i in range(1, total + 1)]


@pytest.mark.parametrize("name", ENGINES)
def test_stems_come_from_the_mix_own_model_calls(name, tiny_weights, tmp_path):
    """`--stems` costs no model call beyond the mix's: each role's stem is its share of the same windows."""
    src, _ = _cut(tmp_path, "wooden knocks, light wind, cloth rustle")
    seen = []
    outcome = generate(src, tmp_path / "out.otio", engine=name, weights=tiny_weights[name], profile="fast",
                       device=DEVICE, pictures=False, stems=True, progress=seen.append)
    assert not outcome.failed, [c.error for c in outcome.failed]
    engine = create_engine(name, tiny_weights[name])
    engine.load("cpu", get_profile("fast"))
    _, calls = _expected_calls(engine, get_profile("fast"), 3.0, events=1, beds=2)
    total = calls * get_profile("fast").steps
    steps = [(e.done, e.total) for e in seen if e.type == "progress" and e.stage == "generate"]
    assert steps == [(i, total) for i in range(1, total + 1)]  # the mix's steps, once: no role generated again
    clip = outcome.clips[0]
    assert set(clip.stems) == {"events", "ambience", "movement"}

    def unmastered(report) -> np.ndarray:
        audio, rate = sf.read(report.wav_path, always_2d=True)
        assert (rate, audio.shape[0]) == (48_000, 3 * 48_000)
        return audio / 10 ** (report.gain_db / 20)

    mix = unmastered(clip.report)
    parts = sum(unmastered(report) for report in clip.stems.values())
    assert np.abs(parts - mix).max() <= 1e-3 * np.abs(mix).max()  # the stems add up to the mix


@pytest.mark.parametrize("name", ENGINES)
def test_generation_starts_while_the_picture_is_still_being_decoded(name, tiny_weights, tmp_path):
    """The model's calls need no picture, so they overlap decoding instead of waiting for its end."""
    src, ec = _cut(tmp_path, "wooden knocks, light wind", visible_s=6.0, event_s=(0.8, 2.6, 4.4), size=(1920, 1080))
    seen = []
    outcome = generate(src, tmp_path / "out.otio", engine=name, weights=tiny_weights[name], profile="fast", device=DEVICE,
                       pictures=False, progress=seen.append)
    assert not outcome.failed, [c.error for c in outcome.failed]
    first_step = next(i for i, e in enumerate(seen) if e.type == "progress" and e.stage == "generate")
    decoded = next(i for i, e in enumerate(seen) if e.type == "progress" and e.stage == "decode" and e.done == e.total)
    assert first_step < decoded, [(e.stage, e.done, e.total) for e in seen if e.type == "progress"][:12]
    expected = [(f - ec.in_frame) / float(RATE) for f in ec.event_frames]
    assert len(outcome.clips[0].events.onset_times_s) == len(expected)  # placed once the events were final


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
@pytest.mark.parametrize("name", ENGINES)
def test_half_precision_runs_end_to_end_as_on_a_gpu(name, precision, tiny_weights, tmp_path, monkeypatch):
    """CUDA gets bf16 (fp16 where the GPU lacks it); the CPU never does, so force it here to run that path."""
    import torch

    from foley_server.engines.neural import diffusion
    from foley_server.pipeline.run import run_job

    half = {"bf16": torch.bfloat16, "fp16": torch.float16}[precision]
    monkeypatch.setattr(diffusion, "torch_dtype", lambda p, device: torch.float32 if p == "fp32" else half)
    src, ec = _cut(tmp_path, "wooden knocks, light wind")
    engine = create_engine(name, tiny_weights[name])
    engine.load("cpu", get_profile("balanced"))
    denoiser = engine.pipe.transformer if name == "stable-audio" else engine.pipe.unet
    assert denoiser.dtype == half and engine.pipe.vae.dtype == half
    outcome = run_job(read_timeline(src), tmp_path / "out", engine=engine, profile="balanced")
    assert not outcome.failed, [c.error for c in outcome.failed]
    audio, rate = sf.read(outcome.clips[0].wav_path, always_2d=True)
    assert rate == 48_000 and np.all(np.isfinite(audio)) and np.abs(audio).max() > 0.01  # sound, not NaN or silence
    assert len(outcome.clips[0].events.onset_times_s) == len(ec.event_frames)


def test_a_torchaudio_that_does_not_import_leaves_resampling_to_the_host(monkeypatch, caplog):
    import sys

    assert runtime.device_resampler("cpu") is None  # the CPU never resamples in the engine
    monkeypatch.setitem(sys.modules, "torchaudio", None)  # installed but broken: `import torchaudio` raises
    assert runtime.device_resampler("cuda:0") is None
    assert "torchaudio does not import" in caplog.text and "resampling on the host" in caplog.text


@pytest.mark.parametrize("name", ENGINES)
def test_an_engine_resampling_on_its_device_delivers_48_khz_on_the_picture(name, tiny_weights, tmp_path, monkeypatch):
    """On a GPU torchaudio resamples to 48 kHz inside the engine; torchaudio cannot be installed on a CPU
    torch, so soxr (really resampling, on the host) takes its place to run the engine's 48 kHz path here."""
    import soxr
    import torch

    from foley_server.engines.neural import diffusion
    from foley_server.pipeline.run import run_job

    def resample(audio, orig, new):  # torchaudio's signature: (..., samples) tensors
        rows = [soxr.resample(x.T.numpy(), orig, new).T for x in audio]
        return torch.from_numpy(np.ascontiguousarray(np.stack(rows)))

    monkeypatch.setattr(diffusion, "device_resampler", lambda device: resample)
    src, ec = _cut(tmp_path, "wooden knocks, light wind")
    engine = create_engine(name, tiny_weights[name])
    engine.load("cpu", get_profile("fast"))
    assert engine.capabilities().sample_rate == 48_000 != engine.rate  # the renderer resamples nothing
    outcome = run_job(read_timeline(src), tmp_path / "out", engine=engine, profile="fast", stems=True)
    assert not outcome.failed, [c.error for c in outcome.failed]
    clip = outcome.clips[0]
    for wav in (clip.wav_path, clip.stems["events"].wav_path, clip.stems["ambience"].wav_path):
        assert (sf.info(wav).samplerate, sf.info(wav).frames) == (48_000, 3 * 48_000)
    expected = [(f - ec.in_frame) / float(RATE) for f in ec.event_frames]
    found = wav_onsets(clip.stems["events"].wav_path)  # the hits alone, without the bed under them
    assert len(found) == len(expected) and np.all(np.abs(found - expected) <= 1 / float(RATE)), (found, expected)


@pytest.mark.parametrize("name", ENGINES)
def test_a_long_clip_joins_its_bed_windows_without_clicks_and_to_the_sample(name, tiny_weights, tmp_path):
    src, _ = _cut(tmp_path, "light wind, cloth rustle", visible_s=7.0, event_s=())
    seen = []
    outcome = generate(src, tmp_path / "out.otio", engine=name, weights=tiny_weights[name], profile="fast", device=DEVICE,
                       pictures=False, progress=seen.append)
    clip = outcome.clips[0]
    assert clip.ok, clip.error
    engine = create_engine(name, tiny_weights[name])
    engine.load("cpu", get_profile("fast"))
    windows, calls = _expected_calls(engine, get_profile("fast"), 7.0, events=0, beds=2)
    assert windows >= 3 and clip.report.windows == windows
    steps = [e for e in seen if e.type == "progress" and e.stage == "generate"]
    assert steps[-1].done == steps[-1].total == calls * get_profile("fast").steps  # steps x windows x batches
    audio, rate = sf.read(clip.wav_path, always_2d=True)
    assert audio.shape[0] == 7 * 48_000  # exact to the sample
    jumps = np.abs(np.diff(audio, axis=0)).max(axis=1)
    typical = np.percentile(jumps, 99.9)
    assert jumps.max() <= 4 * typical + 1e-3  # no sample step at a join stands out from the sound itself


# -- cancellation and out of memory ----------------------------------------------------------------------

def _clip_request(engine, seconds: float, prompt: str, profile: str = "fast") -> ClipRequest:
    events = VisualEvents(seconds, np.array([0.5]), np.array([1.0], dtype=np.float32), np.arange(0, seconds, 0.04),
                          np.full(int(seconds * 25), 0.5, dtype=np.float32), np.zeros(0))
    return ClipRequest("c", seconds, 0.0, seconds, events, engine.interpret(prompt), 3, get_profile(profile))


@pytest.mark.parametrize("name", ENGINES)
def test_a_seed_gives_the_same_sound_in_any_call_and_in_any_batch(name, tiny_weights):
    """A job re-run with its seed, a stem rendered after its mix, a batch halved after an OOM: the same sounds."""
    engine = create_engine(name, tiny_weights[name])
    engine.load("cpu", get_profile("balanced"))
    request = _clip_request(engine, 2.0, "a knock, light wind", profile="balanced")
    first, again = (engine.generate(replace(request, clip_id=c), lambda d, t: None, CancelToken()) for c in "ab")
    assert np.array_equal(first.samples, again.samples) and np.array_equal(first.fresh, again.fresh)
    knock, wind, negative = (engine.encode_text(t) for t in ("a knock", "light wind over a field", ""))

    def latents(embeds, seeds):
        return engine.denoise(embeds, negative, 2.0, seeds, 10, 7.0, lambda: None).float().numpy()

    batched, alone, other = latents([knock, wind], [11, 12]), latents([wind], [12]), latents([wind], [13])
    scale = np.abs(alone).max()
    assert np.abs(batched[1] - alone[0]).max() <= 1e-4 * scale  # the same wind, alone or beside the knock
    assert np.abs(other[0] - alone[0]).max() > 0.1 * scale  # while another seed is another sound


@pytest.mark.parametrize("name", ENGINES)
def test_a_stem_is_the_mix_own_sound_for_its_role(name, tiny_weights):
    """The mix's parts per role are its own sounds, and a role rendered alone gives the same ones (seeds per sound)."""
    engine = create_engine(name, tiny_weights[name])
    engine.load("cpu", get_profile("balanced"))
    full = _clip_request(engine, 2.0, "a knock, light wind, cloth rustle", profile="balanced")
    assert [layer.role for layer in full.spec.layers] == ["events", "ambience", "movement"]

    def render(*roles):
        layers = tuple(layer for layer in full.spec.layers if layer.role in roles) if roles else full.spec.layers
        return engine.generate(replace(full, spec=replace(full.spec, layers=layers)), lambda d, t: None, CancelToken())

    mix, events, ambience, movement = render(), render("events"), render("ambience"), render("movement")
    scale = np.abs(mix.fresh).max()
    parts = mix.parts
    assert set(parts) == {"events", "ambience", "movement"}  # what --stems writes, from this one render
    assert np.array_equal(parts["events"].samples, mix.samples) and parts["events"].fresh is None
    assert np.array_equal(parts["ambience"].fresh + parts["movement"].fresh, mix.fresh)
    assert not parts["ambience"].samples.any() and not parts["movement"].samples.any()
    buffers = [mix.samples, mix.fresh] + [a for part in parts.values() for a in (part.samples, part.fresh) if a is not None]
    assert len({id(b) for b in buffers}) == len(buffers)  # every buffer its own: the renderer joins them in place
    # A role rendered alone (the same seeds in another batch) gives the same sound as its part of the mix.
    assert np.array_equal(events.samples, parts["events"].samples)  # the same one-shot takes, placed the same
    assert np.abs(ambience.fresh - parts["ambience"].fresh).max() <= 1e-4 * scale  # the same beds
    assert np.abs(movement.fresh - parts["movement"].fresh).max() <= 1e-4 * scale


def test_cancel_stops_within_one_denoising_step(tiny_weights):
    engine = create_engine("stable-audio", tiny_weights["stable-audio"])
    engine.load("cpu", get_profile("fast"))
    cancel = CancelToken()
    steps = []

    def progress(done, total):
        steps.append(done)
        if done == 3:
            cancel.cancel()

    with pytest.raises(Cancelled):
        engine.generate(_clip_request(engine, 2.0, "a knock, light wind"), progress, cancel)
    assert steps == [1, 2, 3]  # the step that saw the cancel was the last


def test_out_of_memory_halves_the_batch_then_drops_a_profile_level(tiny_weights, tmp_path, monkeypatch):
    from foley_server.pipeline.render import render_clip

    engine = create_engine("stable-audio", tiny_weights["stable-audio"])
    engine.load("cpu", get_profile("fast"))
    # fast: 2 takes of the knock in one call → OOM → 1 per call → OOM → out of memory at batch 1 → low-memory.
    monkeypatch.setattr(runtime.InjectedOom, "remaining", 2)
    warnings = []
    report = render_clip(engine, _clip_request(engine, 2.0, "a knock"), tmp_path / "c.wav", on_warning=warnings.append)
    assert warnings[0] == "out of device memory generating 2 sounds in one call; now 1 per call"
    assert "out of device memory at profile fast; retried at low-memory" in warnings[1]
    assert report.warnings == warnings and (tmp_path / "c.wav").is_file()
    assert engine.profile.name == "low-memory" and engine.batch == 1


def test_a_job_after_an_out_of_memory_fallback_leaves_its_cpu_offload_behind(tiny_weights, monkeypatch):
    """low-memory offloads sub-models to the host (on a GPU); the resident engine's next balanced job must not."""
    from foley_server.engines.neural import diffusion

    monkeypatch.setattr(diffusion, "can_offload", lambda device: True)  # as on a GPU with accelerate
    engine = create_engine("stable-audio", tiny_weights["stable-audio"])
    engine.load("cpu", get_profile("low-memory"))

    def offloaded() -> list[str]:
        return [name for name, module in engine.pipe.components.items() if hasattr(module, "_hf_hook")]

    assert offloaded()
    low = engine.generate(_clip_request(engine, 2.0, "a knock", profile="low-memory"), lambda d, t: None, CancelToken())
    assert np.abs(low.samples).max() > 0.01  # offloaded generation works
    engine.generate(_clip_request(engine, 2.0, "a knock", profile="balanced"), lambda d, t: None, CancelToken())
    assert engine.profile.name == "balanced" and offloaded() == []


# -- through the real server ------------------------------------------------------------------------------

def _events_of(url: str, job_id: str) -> list[dict]:
    """Every event of a job until it ends, over the WebSocket."""
    import json

    from websockets.sync.client import connect

    events = []
    with connect(url.replace("http", "ws") + f"/v1/jobs/{job_id}/events") as ws:
        while True:
            event = json.loads(ws.recv(timeout=120))
            events.append(event)
            if event.get("type") in ("done", "failed", "cancelled") or event.get("state") in ("done", "failed", "cancelled"):
                return events


def test_the_server_runs_a_model_engine_resident_and_reports_steps_memory_and_degradations(tiny_weights, tmp_path, monkeypatch):
    import httpx

    from server_process import live_server

    root = tmp_path / "projects"
    root.mkdir()
    src, ec = _cut(root, "wooden knocks, light wind")
    # The first model call fails as a CUDA out-of-memory would: the batch is halved and the job says so.
    monkeypatch.setenv(runtime.INJECT_OOM_ENV, "1")
    with live_server(tmp_path / "data", "--allow-root", str(root), "--devices", "cpu", "--engine", "stable-audio",
                     "--weights", str(tiny_weights["stable-audio"])) as server:
        url = server.url
        health = httpx.get(f"{url}/v1/health").json()
        engine = next(e for e in health["engines"] if e["name"] == "stable-audio")
        assert engine["ready"] and engine["loaded_on"] == ["cpu"]  # loaded at start, resident
        body = {"timeline_path": str(src), "output_dir": str(root / "wavs"), "engine": "stable-audio", "profile": "fast"}
        job = httpx.post(f"{url}/v1/jobs", json=body).json()
        events = _events_of(url, job["job_id"])
        assert server.wait(job["job_id"])["state"] == "done"
        result = httpx.get(f"{url}/v1/jobs/{job['job_id']}/result").json()
        placement = result["placements"][0]
        assert placement["duration_s"] == pytest.approx(3.0) and placement["record_start_frame"] == 90000 + round(1.5 * 25)
        assert {"load", "encode", "denoise", "vae", "decode", "master", "conform"} <= set(result["timings"])
        assert result["timings"]["load"] == 0.0 and result["peak_memory_bytes"] > 0
        halved = "out of device memory generating 2 sounds in one call; now 1 per call"
        assert any(halved in w for w in result["warnings"])
        assert any(e["type"] == "warning" and e["message"] == halved for e in events)
        progress = [e for e in events if e["type"] == "progress" and e.get("stage") == "generate"]
        assert progress[-1]["done"] == progress[-1]["total"] >= 2 * get_profile("fast").steps
        assert any(e["type"] == "clip_done" and e["message"] == "stable-audio: events: 'wooden knocks' + ambience: 'light wind'"
                   for e in events)
        last = httpx.get(f"{url}/v1/health").json()["workers"]["last_jobs"]["cpu"]
        assert last["job_id"] == job["job_id"] and last["peak_memory_bytes"] == result["peak_memory_bytes"]

        # Cancelled mid-denoise: stops, and no WAV is left for that clip.
        (root / "long").mkdir()
        long_src, _ = _cut(root / "long", "wooden knocks, light wind, cloth rustle", visible_s=16.0, event_s=(1.0,))
        job = httpx.post(f"{url}/v1/jobs", json={**body, "timeline_path": str(long_src),
                                                   "output_dir": str(root / "cancelled")}).json()
        import json

        from websockets.sync.client import connect

        with connect(url.replace("http", "ws") + f"/v1/jobs/{job['job_id']}/events") as ws:
            while json.loads(ws.recv(timeout=120)).get("stage") != "generate":
                pass
        assert httpx.post(f"{url}/v1/jobs/{job['job_id']}/cancel", json={}).status_code == 202
        assert server.wait(job["job_id"], timeout=30)["state"] == "cancelled"
        assert not list((root / "cancelled").glob("*.wav"))

        # An engine whose weights are missing is refused at submit, saying what to download.
        refused = httpx.post(f"{url}/v1/jobs", json={**body, "engine": "audioldm2"})
        assert refused.status_code == 422 and "cvssp/audioldm2" in refused.text and "hf download" in refused.text
