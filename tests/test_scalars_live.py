"""Real scikit-learn training (an MLP and SGD with verbose output, then `train accuracy:`,
`Test accuracy:` and `Validation acc:` prints) under the real `runwrap`, on pipes and on a
terminal: the records are the values the estimators hold (tests/corpus/live.py, which also
runs skorch and nanoGPT where torch is installed)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))

from live import check  # noqa: E402


@pytest.mark.parametrize("mode", ["pipe", "pty"])
def test_scikit_learn_mlp_and_sgd_give_the_values_the_estimators_hold(mode):
    line = check("sklearn", sys.executable, mode, None)
    assert " right: " in line, line
