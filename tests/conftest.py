"""Shared fixtures: every test gets its own run store and a clean RUNWRAP_* environment."""
from __future__ import annotations

import os
import signal

import pytest

from runwrap import env as envnames

# A suite started in the background by a script (`pytest &`, `nohup .ci/run &`) inherits SIGINT
# and SIGQUIT ignored, and so would every runwrap and program the tests start: the tests that
# interrupt a program would wait on one that cannot be interrupted. A handler of our own here
# (exec gives the children the default back) makes the suite behave as from a terminal.
for _sig, _handler in ((signal.SIGINT, signal.default_int_handler),
                       (signal.SIGQUIT, signal.SIG_DFL)):
    if signal.getsignal(_sig) == signal.SIG_IGN:
        signal.signal(_sig, _handler)


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
