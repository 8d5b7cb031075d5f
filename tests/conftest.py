"""Shared fixtures: every test gets its own run store and a clean RUNWRAP_* environment."""
from __future__ import annotations

import os

import pytest

from runwrap import env as envnames


@pytest.fixture(autouse=True)
def _clean_runwrap_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in envnames.RUN_VARIABLES + (envnames.DIR, envnames.TRACKING_URI,
                                          envnames.MLFLOW_TRACKING_URI, envnames.SAVE_CODE):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A run store root in tmp_path, also exported as RUNWRAP_DIR for child processes."""
    root = tmp_path / "store"
    monkeypatch.setenv(envnames.DIR, str(root))
    return root
