"""Where the Resolve plugin's settings come from: environment, else the installed config, else defaults."""

from __future__ import annotations

import os
from fractions import Fraction

from foley_resolve.settings import load_config, output_folder, safe_folder_name
from resolve_double import FREE
from scenes import Shot, make_resolve, run_menu
from server_process import free_port


def test_the_output_folder_is_the_environments_else_the_configs_else_one_per_project_and_timeline(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("FOLEY_OUTPUT_DIR", raising=False)
    assert output_folder({}, "Ad: spring/summer", "Cut 2?") == os.path.join(
        str(tmp_path), "Foley Bridge", "Ad_ spring_summer", "Cut 2_")
    assert output_folder({"output_dir": "~/sfx"}, "P", "T") == os.path.join(str(tmp_path), "sfx")
    monkeypatch.setenv("FOLEY_OUTPUT_DIR", str(tmp_path / "env"))
    assert output_folder({"output_dir": "~/sfx"}, "P", "T") == str(tmp_path / "env")
    assert safe_folder_name(" ... ") == "Untitled"


def test_the_config_file_overrides_defaults_and_ignores_unknown_keys(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text('{"foley_clip_color": "Teal", "surprise": 1}')
    monkeypatch.delenv("FOLEY_RESOLVE_CONFIG", raising=False)
    config = load_config(str(tmp_path))
    assert config["foley_clip_color"] == "Teal" and "surprise" not in config and config["new_timeline"] is False


def test_the_configured_server_address_is_used_without_the_environment(plugin_env, event_media, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.delenv("FOLEY_SERVER_URL")
    (plugin_env / "config.json").write_text(f'{{"server_url": "{url}"}}')
    resolve = make_resolve([Shot("A", event_media(Fraction(25)), at=10, color="Orange")], Fraction(25), product=FREE)
    assert url in run_menu(resolve).error


def test_a_broken_config_is_named_with_what_to_do(plugin_env, event_media):
    (plugin_env / "config.json").write_text("{broken")
    resolve = make_resolve([Shot("A", event_media(Fraction(25)), at=10, color="Orange")], Fraction(25), product=FREE)
    error = run_menu(resolve).error
    assert str(plugin_env / "config.json") in error and "not valid JSON" in error and "fix or delete it" in error
