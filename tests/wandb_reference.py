"""Running one script twice: with `import runwrap as wandb` and with the real wandb offline,
so the compatibility tests confirm their expectations against wandb itself where it is
installed (the comparison skips without it; wandb is not a test dependency)."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sdk_harness import child_env

needs_wandb = pytest.mark.skipif(importlib.util.find_spec("wandb") is None,
                                 reason="wandb is not installed (pip install wandb to compare)")


def run_as(tmp_path: Path, code: str, library: str, timeout: float = 120) -> Any:
    """Run `code` (which imports `wandb`) against `library` ("runwrap" or "wandb") and return
    the JSON its last stdout line holds."""
    work = tmp_path / library
    work.mkdir(exist_ok=True)
    source = textwrap.dedent(code)
    if library == "runwrap":
        source = source.replace("import wandb\n", "import runwrap as wandb\n")
    (work / "script.py").write_text(source)
    env = child_env(tmp_path / "store")
    env.update({"WANDB_MODE": "offline", "WANDB_SILENT": "true", "WANDB_DIR": str(work),
                "WANDB_CONFIG_DIR": str(work / ".config"), "WANDB_CACHE_DIR": str(work / ".cache"),
                "WANDB_DATA_DIR": str(work / ".data"), "WANDB_DISABLE_GIT": "true"})
    done = subprocess.run([sys.executable, "script.py"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{library}: {done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def both(tmp_path: Path, code: str) -> Any:
    """The result under runwrap, asserted equal to wandb's when wandb is installed."""
    ours = run_as(tmp_path, code, "runwrap")
    if importlib.util.find_spec("wandb") is not None:
        theirs = run_as(tmp_path, code, "wandb")
        assert ours == theirs, f"runwrap {ours} != wandb {theirs}"
    return ours
