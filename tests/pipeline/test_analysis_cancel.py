"""Cancelling a job stops the picture analysis of its remaining clips before they are opened."""

from __future__ import annotations

from fractions import Fraction

import pytest

from foley_server.config import get_profile
from foley_server.engines.base import CancelToken
from foley_server.errors import Cancelled
from foley_server.pipeline import analysis
from foley_server.pipeline.analysis import ClipAnalysis
from foley_server.pipeline.plan import plan_clips
from otio_fixtures import event_clip, otio_clip, timeline_with

RATE = Fraction(25)


@pytest.fixture
def task(tmp_path):
    timeline = timeline_with([otio_clip(event_clip(tmp_path, "Shot", RATE))], RATE)
    (planned,) = plan_clips(timeline)
    return planned


@pytest.fixture
def opened(monkeypatch) -> list:
    """Media files the analysis probes (the real probe runs; this only records it)."""
    calls: list = []
    real = analysis.probe_video
    monkeypatch.setattr(analysis, "probe_video", lambda path: calls.append(path) or real(path))
    return calls


def test_a_clip_of_a_cancelled_job_is_never_opened(task, opened):
    cancel = CancelToken()
    cancel.cancel()
    clip = ClipAnalysis(task, get_profile("balanced"), cancel)
    clip.run()
    assert opened == []
    with pytest.raises(Cancelled):
        clip.final_events()


def test_a_clip_of_a_running_job_is_analysed(task, opened):
    clip = ClipAnalysis(task, get_profile("balanced"), CancelToken())
    clip.run()
    assert opened == [task.media_path] and len(clip.final_events().onset_times_s) == 3
