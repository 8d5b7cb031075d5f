"""Running small programs that call runwrap.init() in real child processes, and reading the
run directories they leave behind."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from runwrap import env as envnames


def child_env(store: Path, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    environ = {k: v for k, v in os.environ.items()
               if k not in envnames.RUN_VARIABLES and not k.startswith("RUNWRAP_")
               and k not in (envnames.MLFLOW_TRACKING_URI,)}
    environ[envnames.DIR] = str(store)
    environ.update(extra or {})
    return environ


def run_script(tmp_path: Path, code: str, extra_env: Optional[Dict[str, str]] = None,
               name: str = "train.py", args: Optional[List[str]] = None,
               timeout: float = 60) -> subprocess.CompletedProcess:
    """Write `code` to tmp_path/work/<name> and run it with RUNWRAP_DIR=tmp_path/store."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    script = work / name
    script.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, str(script), *(args or [])], cwd=work,
                          env=child_env(tmp_path / "store", extra_env), capture_output=True,
                          text=True, timeout=timeout)


def only_run(store: Path, project: Optional[str] = None) -> Path:
    runs = [p.parent for p in store.glob(f"{project or '*'}/*/run.json")]
    assert len(runs) == 1, f"expected one run, found {runs}"
    return runs[0]


def all_runs(store: Path) -> List[Path]:
    return sorted(p.parent for p in store.glob("*/*/run.json"))


def meta(run_dir: Path) -> Dict[str, Any]:
    return json.loads((run_dir / "run.json").read_text())


def config(run_dir: Path) -> Any:
    return yaml.safe_load((run_dir / "config.yaml").read_text())


def summary(run_dir: Path) -> Dict[str, Any]:
    return json.loads((run_dir / "summary.json").read_text())


def records(run_dir: Path, name: str = "sdk.jsonl") -> List[Dict[str, Any]]:
    path = run_dir / "streams" / name
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def sdk_records(run_dir: Path) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = []
    for path in sorted((run_dir / "streams").glob("sdk*.jsonl")):
        out += records(run_dir, path.name)
    return out


def metrics(rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Records without the reserved keys except _step."""
    return [{k: v for k, v in r.items() if k not in ("_time", "_runtime")} for r in rows]
