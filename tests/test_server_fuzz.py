"""Property-based fuzzing of the live API from its own OpenAPI schema: no input gets a 5xx.

Schemathesis is driven directly with Hypothesis (its pytest plugin does not run on pytest 9.2).
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error

from server_process import running_server

# Deterministic and bounded: the same examples every run, a few per operation.
FUZZ = hypothesis.settings(max_examples=25, derandomize=True, deadline=None, database=None,
                           suppress_health_check=list(hypothesis.HealthCheck))


@pytest.fixture(scope="module")
def operations(tmp_path_factory):
    root = tmp_path_factory.mktemp("projects")
    with running_server(tmp_path_factory.mktemp("data"), "--allow-root", str(root), "--devices", "cpu") as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        yield [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_http_route(operations):
    labels = {op.label for op in operations}
    assert {"POST /v1/jobs", "POST /v1/jobs/{job_id}/cancel", "GET /v1/jobs/{job_id}/files/{name}",
            "GET /v1/jobs/{job_id}/result", "GET /v1/health"} <= labels


def test_no_request_the_schema_allows_or_nearly_allows_gets_a_server_error(operations):
    for operation in operations:
        statuses = []

        @FUZZ
        @hypothesis.given(case=operation.as_strategy())
        def fuzz(case) -> None:
            # As the plugins send them: JSON bodies (a POST without a body still says JSON).
            headers = {"Content-Type": "application/json"} if case.method.upper() == "POST" else {}
            statuses.append(case.call_and_validate(headers=headers, checks=[not_a_server_error]).status_code)

        fuzz()
        # The examples reached the route itself, not only the security layer in front of it.
        assert statuses and not set(statuses) <= {401, 403, 413, 415, 421}, (operation.label, statuses)


def test_without_json_content_type_or_with_a_foreign_host_the_guard_answers_4xx_not_5xx(operations):
    for operation in operations:
        @hypothesis.settings(FUZZ, max_examples=5)
        @hypothesis.given(case=operation.as_strategy())
        def guarded(case) -> None:
            plain = case.call(headers={"Content-Type": "text/plain"})
            assert plain.status_code < 500
            if case.method.upper() == "POST":
                assert plain.status_code == 415
            assert case.call(headers={"Host": "attacker.example"}).status_code == 421

        guarded()
