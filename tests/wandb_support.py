"""Real wandb runs for the wandb collector tests, and wandb's own view of their logs.

wandb 0.31 ships no Python reader of its transaction log (wandb/sdk/internal/datastore.py was
removed in 0.23; the Go wandb-core reads it now). The oracle is therefore wandb's own protobuf
parser (`wandb_internal_pb2.Record`) over each message, with wandb's DataStore doing the framing
when the installed wandb still has it; the framing alone is checked by re-encoding a real file
to identical bytes (test_wandb_log.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

from runwrap.collectors.wandb.framing import LogReader


def no_account_env(tmp_path: Path, **extra: str) -> Dict[str, str]:
    """The environment of a machine with no wandb account: no key, no netrc, no settings."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update({"HOME": str(home), "WANDB_CONFIG_DIR": str(home / ".config" / "wandb"),
                "WANDB_CACHE_DIR": str(home / ".cache" / "wandb")})
    env.update(extra)
    return env


def run_offline(tmp_path: Path, script: str, name: str = "prog.py") -> Path:
    """Run `script` with wandb offline in tmp_path/direct (no runwrap); returns its wandb/."""
    work = tmp_path / "direct"
    work.mkdir(exist_ok=True)
    (work / name).write_text(script)
    done = subprocess.run([sys.executable, name], cwd=work, timeout=240,
                          env=no_account_env(tmp_path, WANDB_MODE="offline"),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert done.returncode == 0, done.stdout.decode()[-3000:]
    return work / "wandb"


def log_files(folder: Path) -> List[Path]:
    return sorted(folder.rglob("run-*.wandb"))


def wandb_messages(path: Path) -> List[bytes]:
    """The messages of a log, framed by wandb's own DataStore when the installed wandb has it."""
    try:
        import wandb
        from wandb.sdk.internal import datastore  # wandb <= 0.22
    except ImportError:
        return list(LogReader(path).read())
    wandb._assert_is_internal_process = True  # type: ignore[attr-defined]
    ds = datastore.DataStore()
    ds.open_for_scan(str(path))
    out = []
    while True:
        data = ds.scan_data()
        if data is None:
            return out
        out.append(data)


def wandb_history(path: Path) -> List[dict]:
    """Every history row of a log as wandb's protobuf parser reads it: {key: value}, with
    `_step`, `_timestamp` and `_runtime` as wandb wrote them."""
    from wandb.proto import wandb_internal_pb2 as pb

    rows = []
    for message in wandb_messages(path):
        record = pb.Record()
        record.ParseFromString(message)
        if record.WhichOneof("record_type") != "history":
            continue
        row = {}
        for item in record.history.item:
            key = ".".join(item.nested_key) if item.nested_key else item.key
            row[key] = json.loads(item.value_json)
        rows.append(row)
    return rows


def wandb_config(path: Path) -> Dict[str, object]:
    """The config a log ends with, as wandb's protobuf parser reads it."""
    from wandb.proto import wandb_internal_pb2 as pb

    config: Dict[str, object] = {}
    for message in wandb_messages(path):
        record = pb.Record()
        record.ParseFromString(message)
        kind = record.WhichOneof("record_type")
        items: Optional[object] = None
        if kind == "run":
            items = record.run.config
        elif kind == "config":
            items = record.config
        if items is None:
            continue
        for item in items.update:  # type: ignore[attr-defined]
            key = ".".join(item.nested_key) if item.nested_key else item.key
            if key != "_wandb":
                config[key] = json.loads(item.value_json)
    return config
