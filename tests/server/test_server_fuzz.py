"""Fuzzing the live server: every route, schema-shaped and not, alone and in sequences.

Asserted throughout: no 5xx, /v1/health still answers, and no job is accepted that must fail (every
accepted job ends done, or cancelled when the fuzzer cancelled it). Schemathesis is driven
directly with Hypothesis (its pytest plugin does not run on pytest 9.2); every run is derandomized
and bounded, so the same examples run each time in a few seconds per operation.
"""

from __future__ import annotations

import http.client
import json
from fractions import Fraction
from urllib.parse import quote

import hypothesis
import hypothesis.strategies as st
import opentimelineio as otio
import pytest
import schemathesis
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule, run_state_machine_as_test
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from foley_otio import source_clips
from foley_server.demo.footage import write_event_video
from otio_fixtures import timeline_with

# Deterministic and bounded: the same examples every run, a few per operation.
FUZZ = hypothesis.settings(max_examples=25, derandomize=True, deadline=None, database=None,
                           suppress_health_check=list(hypothesis.HealthCheck))
GUARD_ONLY = {401, 403, 413, 415, 421}  # statuses the security layer answers before any route runs


@pytest.fixture(scope="module")
def fuzzed(served, project):
    """The server, a one-second cut in its project folder, and the jobs it accepted (checked at the end)."""
    media = project / "tiny.mp4"
    write_event_video(media, fps=Fraction(25), n_frames=25, event_frames=[8], size=(64, 36))
    clip = otio.schema.Clip(name="Tiny", media_reference=otio.schema.ExternalReference(
        target_url=otio.url_utils.url_from_filepath(str(media))),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(25, 25)))
    timeline = timeline_with([clip], Fraction(25), gap_s=0.0)
    (project / "cut.otio").write_text(otio.adapters.write_to_string(timeline, "otio_json"))
    inline = json.loads(otio.adapters.write_to_string(timeline, "otio_json"))
    accepted: dict[str, bool] = {}  # job id -> whether the fuzzer asked to cancel it
    yield served, project, inline, source_clips(timeline)[0].clip_id, accepted
    for job_id, cancel_asked in accepted.items():
        status = served.wait(job_id, timeout=120)
        allowed = {"done", "cancelled"} if cancel_asked else {"done"}
        assert status["state"] in allowed, f"accepted job {job_id} ended {status['state']}: {status['error']} {status['clips']}"
    assert served.get("/v1/health").json()["status"] == "ok"


@pytest.fixture(scope="module")
def operations(served):
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_http_route(operations):
    labels = {op.label for op in operations}
    assert {"POST /v1/jobs", "GET /v1/jobs", "GET /v1/jobs/{job_id}", "POST /v1/jobs/{job_id}/cancel",
            "GET /v1/jobs/{job_id}/files/{name}", "GET /v1/jobs/{job_id}/result", "GET /v1/health",
            "GET /v1/engines"} <= labels


def _statuses(operation, mode: GenerationMode, accepted: dict[str, bool]) -> list[int]:
    """Run the operation's fuzzing; the status of each answer."""
    statuses: list[int] = []

    @FUZZ
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case) -> None:
        # As the plugins send them: JSON bodies (a POST without a body still says JSON).
        headers = {"Content-Type": "application/json"} if case.method.upper() == "POST" else {}
        response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
        statuses.append(response.status_code)
        if operation.label == "POST /v1/jobs" and response.status_code == 202:
            accepted.setdefault(response.json()["job_id"], False)

    fuzz()
    return statuses


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schema_shaped_and_schema_breaking_requests_to_every_route_get_no_server_error(fuzzed, operations, mode):
    server, _, _, _, accepted = fuzzed
    for operation in operations:
        if mode == GenerationMode.NEGATIVE and not (len(operation.body) or len(operation.headers)):
            continue  # nothing a schema can break: no inputs, or string path parameters (raw paths are fuzzed below)
        statuses = _statuses(operation, mode, accepted)
        # The examples reached the routes themselves, not only the security layer in front of them.
        assert statuses and not set(statuses) <= GUARD_ONLY, (operation.label, mode, statuses)
    assert server.get("/v1/health").status_code == 200


def _guarded(operation) -> None:
    @hypothesis.settings(FUZZ, max_examples=5)
    @hypothesis.given(case=operation.as_strategy())
    def guarded(case) -> None:
        plain = case.call(headers={"Content-Type": "text/plain"})
        assert plain.status_code < 500
        if case.method.upper() == "POST":
            assert plain.status_code == 415
        assert case.call(headers={"Host": "attacker.example"}).status_code == 421

    guarded()


def test_without_json_content_type_or_with_a_foreign_host_the_guard_answers_4xx_not_5xx(operations):
    for operation in operations:
        _guarded(operation)


# -- raw bytes: bodies, headers and paths no schema describes -----------------------------------

# Escapes and characters that once reached a 500: lone surrogates, NUL, huge numbers, NaN.
_NASTY = st.sampled_from(["\\ud800", "\\udfff", "\\u0000", "\\ud83d\\ude00", "NaN", "Infinity", "1e999", "9" * 400,
                          "\x00", "\\", '"', "{", "[", "]", "}", ",", ":", "-", "0", "true", "null"])
_JSONISH = st.lists(st.one_of(_NASTY, st.text(max_size=8)), max_size=30).map("".join)


def _send_raw(server, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One request exactly as given (http.client does not normalise the path or the body): status and body."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


POST_PATHS = ["/v1/jobs", "/v1/jobs/{job}/cancel"]


@FUZZ
@hypothesis.given(body=st.one_of(st.binary(max_size=300), _JSONISH.map(str.encode)), path=st.sampled_from(POST_PATHS))
def test_raw_bytes_posted_as_json_are_refused_with_a_4xx(fuzzed, body, path):
    server, _, _, _, _ = fuzzed
    status, answer = _send_raw(server, "POST", path.format(job="nope"), body, {"Content-Type": "application/json"})
    assert 400 <= status < 500 and json.loads(answer)["detail"], (body, status, answer)


def _unusable_text(raw: str) -> bool:
    """Whether a JSON string with this content is valid JSON holding a NUL or half a surrogate pair."""
    try:
        text = json.loads(f'"{raw}"')
    except ValueError:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return "\x00" in text


# Where text from a client ends up: paths, names the OTIO parser reads, prompts stored with the job.
_TEXT_FIELDS = ["output_dir", "engine", "profile", "clip_id", "prompt", "negative_prompt", "timeline name", "clip name"]


@hypothesis.settings(FUZZ, max_examples=40)
@hypothesis.given(field=st.sampled_from(_TEXT_FIELDS), raw=_JSONISH)
def test_raw_text_in_each_field_of_a_good_job_is_refused_or_delivered(fuzzed, field, raw):
    """Raw text, escapes and all, is added to one string value of a job that would work."""
    server, project, inline, clip_id, accepted = fuzzed
    marker = "\\u2603MARK\\u2603"  # how json.dumps writes the mark put in below; replaced by the raw text
    timeline = json.loads(json.dumps(inline))
    clip = {"clip_id": clip_id, "prompt": "door knock", "negative_prompt": "rain"}
    body = {"timeline": timeline, "output_dir": str(project / "raw"), "clips": [clip], "engine": "procedural",
            "profile": "balanced"}
    target = {"timeline name": (timeline, "name"), "clip name": (timeline["tracks"]["children"][0]["children"][-1], "name"),
              "clip_id": (clip, "clip_id"), "prompt": (clip, "prompt"), "negative_prompt": (clip, "negative_prompt")}
    where, key = target.get(field, (body, field))
    where[key] += "\u2603MARK\u2603"
    text = json.dumps(body).replace(marker, raw)
    status, answer = _send_raw(server, "POST", "/v1/jobs", text.encode("utf-8", "surrogatepass"),
                               {"Content-Type": "application/json"})
    assert status in (202, 400, 403, 422), (field, raw, status, answer[:300])
    if _unusable_text(raw):
        assert status == 400 and b"holds a" in answer, (field, raw, status, answer[:300])
    if status == 202:
        accepted.setdefault(json.loads(answer)["job_id"], False)
    else:
        assert json.loads(answer)["detail"]


_PATH_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["%ED%A0%80", "%00", "%FF%FE", "..", "%2e%2e", "a%2Fb", "%C0%AF", "~", "%25", "x" * 5000]),
).map(lambda text: "".join(c if c.isascii() and c.isprintable() and c not in " #?" else f"%{ord(c) & 0xFF:02X}"
                           for c in text))


@FUZZ
@hypothesis.given(job=_PATH_TEXT, name=_PATH_TEXT, route=st.sampled_from(
    ["/v1/jobs/{job}", "/v1/jobs/{job}/result", "/v1/jobs/{job}/files/{name}", "/v1/jobs/{job}/events"]))
def test_any_path_parameters_sent_verbatim_get_no_server_error(fuzzed, job, name, route):
    server, _, _, _, _ = fuzzed
    status, answer = _send_raw(server, "GET", route.format(job=job, name=name), b"", {})
    assert status < 500 and status != 200, (route, job, name, status, answer)


@FUZZ
@hypothesis.given(key=st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=300),
                  extra=st.dictionaries(st.sampled_from(["Authorization", "X-Foley-Token", "Accept", "Cookie",
                                                         "Content-Encoding", "Transfer-Encoding-Note"]),
                                        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=50),
                                        max_size=3))
def test_any_idempotency_key_and_stray_headers_get_an_answer_below_500(fuzzed, key, extra):
    server, project, inline, _, accepted = fuzzed
    body = json.dumps({"timeline": inline, "output_dir": str(project / "headers")}).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key.strip() or "k", **extra}
    status, answer = _send_raw(server, "POST", "/v1/jobs", body, headers)
    assert status in (202, 401, 422), (headers, status, answer)
    if status == 202:
        accepted.setdefault(json.loads(answer)["job_id"], False)


# -- sequences: submit, cancel, result, files --------------------------------------------------

_ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                         | st.text(max_size=10), lambda children: st.lists(children, max_size=3)
                         | st.dictionaries(st.text(max_size=5), children, max_size=3), max_leaves=8)
_SEEDS = st.one_of(st.none(), st.integers(0, 10), st.just(2**63 - 1), st.just(2**63), st.just(-1), st.just(2**80),
                   st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=3))
_TEXTS = st.one_of(st.none(), st.text(max_size=30), st.sampled_from(["\ud800 boom", "nul \x00 here", "é ü ñ 🚪 door"]),
                   st.integers(2001, 2100).map(lambda n: "x" * n))


_NUMBERS = st.one_of(st.sampled_from([0, -1, -25.0, 0.5, 1e300, -1e300, 2**62, 2**63, 2**80, 10**400]),
                     st.floats(allow_nan=False, allow_infinity=False), st.integers())


def _leaves(node: object, path: tuple = ()) -> list[tuple]:
    """Paths to every number in a JSON document, and to every object (where a key can be added)."""
    if isinstance(node, bool):
        return []
    if isinstance(node, (int, float)):
        return [path]
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    found = [path + ("<new>",)] if isinstance(node, dict) else []
    for key, child in children:
        found += _leaves(child, path + (key,))
    return found


def _changed(document: dict, path: tuple, value: object) -> dict:
    copy = json.loads(json.dumps(document))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node["foley" if path[-1] == "<new>" else path[-1]] = value
    return copy


def _timelines(inline: dict) -> st.SearchStrategy[dict]:
    """The good timeline with one number changed (rates, times), or a `foley` entry put anywhere."""
    paths = _leaves(inline)
    return st.sampled_from(paths).flatmap(lambda path: (
        st.fixed_dictionaries({"seed": _SEEDS, "prompt": _TEXTS}) if path[-1] == "<new>" else _NUMBERS
    ).map(lambda value: _changed(inline, path, value)))


@hypothesis.settings(FUZZ, max_examples=40)
@hypothesis.given(data=st.data())
def test_a_timeline_changed_anywhere_is_refused_at_submit_or_delivered(fuzzed, data):
    server, project, inline, _, accepted = fuzzed
    timeline = data.draw(_timelines(inline))
    body = json.dumps({"timeline": timeline, "output_dir": str(project / "changed")})  # ASCII: surrogates as escapes
    response = server.post("/v1/jobs", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code in (202, 400, 413, 422), (response.status_code, response.text[:500])
    if response.status_code == 202:
        accepted.setdefault(response.json()["job_id"], False)


class JobSequences(RuleBasedStateMachine):
    """Jobs submitted (mostly nearly right), then cancelled, asked for, and their files fetched."""

    jobs = Bundle("jobs")

    def __init__(self) -> None:
        super().__init__()
        self.server, self.project, self.inline, self.clip_id, self.accepted = self.fuzzed

    @rule(target=jobs, data=st.data())
    def submit(self, data) -> object:
        body = {"output_dir": str(self.project / data.draw(st.sampled_from(["out", "out/deeper", "é folder"]))),
                "clips": [], "engine": "procedural", "profile": "balanced"}
        if data.draw(st.booleans()):
            body["timeline"] = self.inline
        else:
            body["timeline_path"] = str(self.project / "cut.otio")
        for _ in range(data.draw(st.integers(0, 3))):  # a few fields changed from what would work
            field = data.draw(st.sampled_from(["engine", "profile", "seed", "stems", "clips", "output_dir",
                                               "timeline", "timeline_path", "extra"]))
            body[field] = data.draw({
                "engine": st.one_of(st.just("procedural"), st.text(max_size=12), _ANY_JSON),
                "profile": st.one_of(st.sampled_from(["quality", "fast", "low-memory"]), st.text(max_size=12)),
                "seed": _SEEDS, "stems": st.one_of(st.booleans(), _ANY_JSON),
                "clips": st.lists(st.fixed_dictionaries(
                    {"clip_id": st.one_of(st.just(self.clip_id), st.just("Tiny"), st.text(max_size=12))},
                    optional={"prompt": _TEXTS, "negative_prompt": _TEXTS, "seed": _SEEDS}), max_size=3),
                "output_dir": st.one_of(st.text(max_size=20), st.sampled_from(["/", "/etc", "relative/path", ""]),
                                        st.just(str(self.project / "cut.otio" / "inside-a-file"))),
                "timeline": st.one_of(_timelines(self.inline), _ANY_JSON,
                                      st.just({**self.inline, "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [[]]}})),
                "timeline_path": st.one_of(st.text(max_size=20), st.just(str(self.project)),
                                           st.just(str(self.project / "tiny.mp4"))),
                "extra": _ANY_JSON,
            }[field])
        response = self.server.post("/v1/jobs", content=json.dumps(body).encode(),
                                    headers={"Content-Type": "application/json"})
        assert response.status_code < 500, (body, response.status_code, response.text[:500])
        if response.status_code == 202:
            job_id = response.json()["job_id"]
            self.accepted.setdefault(job_id, False)
            return job_id
        assert 400 <= response.status_code < 500 and response.json()["detail"], response.text[:500]
        assert len(response.content) < 20_000  # refusals never echo a large input back
        return multiple()

    @rule(job=jobs)
    def cancel(self, job: str) -> None:
        self.accepted[job] = True
        response = self.server.post(f"/v1/jobs/{job}/cancel", json={})
        assert response.status_code in (202, 409), response.text

    @rule(job=jobs)
    def result(self, job: str) -> None:
        assert self.server.get(f"/v1/jobs/{job}/result").status_code in (200, 409)

    @rule(job=jobs, other=st.text(max_size=20))
    def files(self, job: str, other: str) -> None:
        """Once the job has ended: each delivered WAV, and names that are not one."""
        ended = self.server.wait(job)["state"]
        result = self.server.get(f"/v1/jobs/{job}/result")
        assert result.status_code == (200 if ended == "done" else 409), result.text
        for placement in result.json()["placements"] if ended == "done" else []:
            name = placement["path"].rsplit("/", 1)[-1]
            assert self.server.get(f"/v1/jobs/{job}/files/{name}").status_code == 200
            assert self.server.get(f"/v1/jobs/{job}/files/{name}{quote(other)}").status_code in (200, 400, 404)

    @rule(job=jobs, other=st.text(max_size=20))
    def status(self, job: str, other: str) -> None:
        assert self.server.get(f"/v1/jobs/{job}").status_code == 200
        assert self.server.get(f"/v1/jobs/{quote(other, safe='')}").status_code < 500

    @invariant()
    def health_answers(self) -> None:
        assert self.server.get("/v1/health", timeout=5).json()["status"] == "ok"


def test_sequences_of_submit_cancel_result_and_files_never_fail_the_server(fuzzed):
    JobSequences.fuzzed = fuzzed
    run_state_machine_as_test(JobSequences, settings=hypothesis.settings(FUZZ, max_examples=15, stateful_step_count=8))
