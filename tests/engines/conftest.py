"""Fixtures the model-engine test modules share."""

from __future__ import annotations

from pathlib import Path

import pytest
from neural_models import save_tiny


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory) -> dict[str, Path]:
    """Each engine's tiny pipeline saved once per test session (building them costs seconds)."""
    root = tmp_path_factory.mktemp("weights")
    return {name: save_tiny(name, root / name) for name in ("stable-audio", "audioldm2")}
