"""The Resolve plugin's tests: the Resolve double (resolve_double/) against one real Foley server."""

from __future__ import annotations

import pytest

from server_process import running_server


@pytest.fixture(scope="session")
def foley_server(tmp_path_factory):
    """One server for all Resolve tests; every test's tmp_path lies under its allowed root."""
    base = tmp_path_factory.getbasetemp()
    with running_server(tmp_path_factory.mktemp("resolve-server"), "--allow-root", str(base), "--devices", "cpu") as url:
        yield url


@pytest.fixture
def plugin_env(foley_server, tmp_path, monkeypatch):
    """The environment a menu script sees: the test server, an output folder, no installed config."""
    monkeypatch.setenv("FOLEY_SERVER_URL", foley_server)
    for name in ("FOLEY_URL", "FOLEY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FOLEY_OUTPUT_DIR", str(tmp_path / "foley"))
    monkeypatch.setenv("FOLEY_RESOLVE_CONFIG", str(tmp_path / "config.json"))
    return tmp_path


@pytest.fixture(scope="session")
def event_media(tmp_path_factory):
    """rate -> an event video at that rate (events at known frames), made once per session."""
    from otio_fixtures import event_clip

    folder = tmp_path_factory.mktemp("media")
    made = {}

    def media(rate, name="shot"):
        key = (rate, name)
        if key not in made:
            made[key] = event_clip(folder, f"{name}_{float(rate):.3f}", rate)
        return made[key]

    return media
