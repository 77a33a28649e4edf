"""What the real server refuses at submit, and how: a 4xx naming the field and saying what to do,
never a 5xx, never a job accepted only to fail, never a large input echoed back."""

from __future__ import annotations

import json
from fractions import Fraction

import opentimelineio as otio
import pytest

from foley_otio import source_clips
from foley_server.config import PROFILES
from foley_server.engines.registry import engine_names
from otio_fixtures import event_clip, otio_clip, timeline_with

RATE = Fraction(25)


@pytest.fixture(scope="module")
def job(served, project):
    """The server and a body that would be accepted; each test changes one thing."""
    timeline = timeline_with([otio_clip(event_clip(project, "Shot", RATE, seconds=2.0, visible_s=1.0))], RATE)
    body = {"timeline": json.loads(otio.adapters.write_to_string(timeline, "otio_json")),
            "output_dir": str(project / "out"), "clips": [{"clip_id": source_clips(timeline)[0].clip_id}]}
    return served, body


def _post_raw(server, text: str):
    return server.post("/v1/jobs", content=text.encode(), headers={"Content-Type": "application/json"})


def test_a_lone_surrogate_anywhere_in_the_body_is_a_400_naming_where(job):
    server, body = job
    for place, changed in [("clips[0].prompt", {**body, "clips": [{**body["clips"][0], "prompt": "\ud800"}]}),
                           ("output_dir", {**body, "output_dir": body["output_dir"] + "\udfff"}),
                           ("timeline.name", {**body, "timeline": {**body["timeline"], "name": "cut \ud83d"}})]:
        response = _post_raw(server, json.dumps(changed))  # json.dumps writes the surrogate as an escape
        assert response.status_code == 400, response.text
        assert f"{place} holds a lone UTF-16 surrogate" in response.json()["detail"]


@pytest.mark.parametrize("raw, says", [
    (b'{"output_dir": "\xc3\x28"}', "not UTF-8 text"),
    (b'{"output_dir": "/x", ', "not valid JSON"),
    (b'{"output_dir": "/x\\u0000"}', "output_dir holds a NUL character"),
    (b'{"seed": NaN}', "holds NaN"),
    (b"[" * 50_000 + b"]" * 50_000, "nests too deeply"),
])
def test_bodies_that_are_not_usable_json_are_400(job, raw, says):
    server, _ = job
    response = server.post("/v1/jobs", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and says in response.json()["detail"], response.text


@pytest.mark.parametrize("field, choices", [("engine", ", ".join(engine_names())), ("profile", ", ".join(PROFILES))])
def test_an_unknown_engine_or_profile_is_a_422_listing_the_choices(job, field, choices):
    server, body = job
    response = server.post("/v1/jobs", json={**body, field: "nope"})
    assert response.status_code == 422
    assert response.json()["detail"] == f"{field}: unknown {field} 'nope'; choose one of: {choices}"


@pytest.mark.parametrize("seed", [2**80, 2**63, -1])
def test_seeds_outside_0_to_2_63_are_422_naming_the_field(job, seed):
    server, body = job
    job_seed = server.post("/v1/jobs", json={**body, "seed": seed})
    clip_seed = server.post("/v1/jobs", json={**body, "clips": [{**body["clips"][0], "seed": seed}]})
    assert (job_seed.status_code, clip_seed.status_code) == (422, 422)
    assert job_seed.json()["detail"].startswith("seed: Input should be")
    assert clip_seed.json()["detail"].startswith("clips[0].seed: Input should be")


def test_the_largest_seed_is_accepted_and_delivered(job):
    server, body = job
    job_id, status = server.run({**body, "clips": [{**body["clips"][0], "seed": 2**63 - 1}]})
    assert status["state"] == "done", status


def test_a_seed_in_the_timelines_metadata_that_otio_cannot_hold_is_refused_naming_the_clip(job):
    server, body = job
    timeline = json.loads(json.dumps(body["timeline"]))
    clip = timeline["tracks"]["children"][0]["children"][-1]
    clip["metadata"]["foley"] = {"seed": 1e300}
    response = server.post("/v1/jobs", json={**body, "timeline": timeline})
    assert response.status_code == 422 and "clip 'Shot' has seed" in response.json()["detail"]


def test_a_2_mb_prompt_is_refused_without_being_echoed(job):
    server, body = job
    response = server.post("/v1/jobs", json={**body, "clips": [{**body["clips"][0], "prompt": "x" * 2_000_000}]})
    assert response.status_code == 422 and len(response.content) < 2_000
    detail = response.json()["detail"]
    assert detail.startswith("clips[0].prompt: String should have at most 2000 characters") and "(2000000 characters)" in detail


def test_a_missing_field_does_not_echo_the_whole_body(job):
    server, body = job
    padded = {**body, "timeline": {**body["timeline"], "metadata": {"pad": "y" * 500_000}}}
    del padded["output_dir"]
    response = server.post("/v1/jobs", json=padded)
    assert response.status_code == 422 and len(response.content) < 2_000
    assert response.json()["detail"] == "output_dir: Field required"


def test_an_output_dir_that_is_a_file_is_refused(job, project):
    server, body = job
    (project / "a-file").write_text("")
    response = server.post("/v1/jobs", json={**body, "output_dir": str(project / "a-file" / "foley")})
    assert response.status_code == 422 and "is a file" in response.json()["detail"]


def test_a_timeline_whose_times_cannot_be_placed_is_refused(job):
    server, body = job
    broken = json.loads(json.dumps(body["timeline"]))
    broken["tracks"]["children"][0]["children"][0]["source_range"]["duration"]["rate"] = 0  # the gap before the clip
    response = server.post("/v1/jobs", json={**body, "timeline": broken})
    assert response.status_code == 422 and "no usable place on its track" in response.json()["detail"]
    broken["global_start_time"]["rate"] = 0
    response = server.post("/v1/jobs", json={**body, "timeline": broken})
    assert response.status_code == 422 and "has a frame rate of 0.0" in response.json()["detail"]


def test_a_clip_past_the_end_of_its_media_is_refused(job, project):
    server, body = job
    late = json.loads(json.dumps(body["timeline"]))
    late["tracks"]["children"][0]["children"][-1]["source_range"]["start_time"]["value"] += 10 * 25
    response = server.post("/v1/jobs", json={**body, "timeline": late})
    assert response.status_code == 422 and "check the clip's in/out points" in response.json()["detail"]


def test_an_unknown_job_is_a_404_that_does_not_echo_a_long_id(job):
    server, _ = job
    response = server.get("/v1/jobs/" + "j" * 5000)
    assert response.status_code == 404 and len(response.content) < 500
