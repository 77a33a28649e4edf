"""The real server under uvicorn refuses what a hostile web page could send (each attack sent for real)."""

from __future__ import annotations

import asyncio
import http.client
import json
import stat
from urllib.parse import urlparse

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from server_process import running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import os

    from unittest import mock

    # No model weights anywhere for this server: an empty Hugging Face cache, no FOLEY_WEIGHTS_*.
    env = {"HF_HUB_CACHE": str(tmp_path_factory.mktemp("empty-hf-cache"))}
    with mock.patch.dict(os.environ, env), running_server(tmp_path_factory.mktemp("data")) as url:
        yield url


def test_health_reports_version_engines_queue_and_uptime(server):
    body = httpx.get(f"{server}/v1/health").json()
    assert body["status"] == "ok" and body["version"]
    engines = {e["name"]: e for e in body["engines"]}
    assert engines["procedural"]["needs_weights"] is False and engines["procedural"]["ready"] is True
    assert engines["stable-audio"]["needs_weights"] is True and "no weights found" in engines["stable-audio"]["problem"]
    assert body["queue"] == {"queued": 0, "running": 0} and body["uptime_s"] >= 0  # from the job store
    listing = httpx.get(f"{server}/v1/engines").json()
    models = {e["name"]: e["models"] for e in listing["engines"]}
    assert "footsteps" in models["procedural"] and "events" in models["stable-audio"] and "balanced" in listing["profiles"]
    assert httpx.get(f"{server}/openapi.json").json()["info"]["title"] == "Foley Bridge"
    assert httpx.get(f"{server}/docs").status_code == 200


def test_dns_rebinding_host_is_refused_with_421(server):
    response = httpx.get(f"{server}/v1/health", headers={"Host": "attacker.example:7865"})
    assert response.status_code == 421 and "127.0.0.1" in response.json()["error"]


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost.evil.example"])
def test_cross_origin_post_is_refused_with_403(server, origin):
    response = httpx.post(f"{server}/v1/jobs", json={"timeline_path": "/x.otio"}, headers={"Origin": origin})
    assert response.status_code == 403 and origin in response.json()["error"]


def test_non_json_post_is_refused_with_415(server):
    response = httpx.post(f"{server}/v1/jobs", content=b"timeline=/x.otio", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 415
    assert httpx.post(f"{server}/v1/jobs", content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415


def test_oversized_body_is_refused_with_413_before_it_is_read(server):
    parsed = urlparse(server)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    conn.putrequest("POST", "/v1/jobs")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(10**12))
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 413 and "body over" in json.loads(response.read())["error"]
    conn.close()


def test_cross_origin_websocket_is_refused(server):
    ws_url = server.replace("http", "ws") + "/v1/events"

    async def attempt():
        async with websockets.connect(ws_url, origin="https://evil.example"):
            pass

    with pytest.raises(InvalidStatus) as refused:
        asyncio.run(attempt())
    assert refused.value.response.status_code == 403


def test_binding_beyond_loopback_requires_the_generated_token(tmp_path):
    data = tmp_path / "data"
    with running_server(data, "--host", "0.0.0.0") as url:
        token_file = data / "token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        assert len(token) >= 32
        assert httpx.get(f"{url}/v1/health").status_code == 401
        assert httpx.get(f"{url}/v1/health", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = httpx.get(f"{url}/v1/health", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json()["token_required"] is True
