"""A real MLflow tracking server for the sync tests: started once per test session.

`mlflow server` with a SQLite backend on 127.0.0.1 and a free port, in its own session (process
group) so that stopping it ends the uvicorn workers too; SIGTERM to the first pid alone leaves
them behind. Tests skip, saying why, when mlflow is not installed. Also here: counting what the
server holds through its REST API, and making run directories with the real StreamWriter.
"""
from __future__ import annotations

import atexit
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

START_TIMEOUT = 120.0  # seconds; it takes 10-40 s on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MlflowServer:
    def __init__(self, workdir: Path, port: Optional[int] = None):
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = self.workdir / "server.log"

    def start(self) -> None:
        env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
        for name in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME",
                     "MLFLOW_TRACKING_PASSWORD"):
            env.pop(name, None)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mlflow", "server",
             "--backend-store-uri", f"sqlite:///{self.workdir / 'mlflow.db'}",
             # Proxied artifacts (runs' artifact root is mlflow-artifacts:/...): runwrap uploads
             # media and artifact versions through the server's REST API.
             "--artifacts-destination", str(self.workdir / "artifacts"),
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            cwd=self.workdir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True)
        log.close()
        self.wait_healthy()

    def wait_healthy(self) -> None:
        import requests

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"mlflow server exited with {self.proc.returncode}:\n"
                                   f"{self.log_tail()}")
            try:
                if requests.get(self.uri + "/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"mlflow server not healthy after {START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """End the server's whole process group: TERM, then KILL whatever is left."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and _group_alive(proc.pid):
                proc.poll()
                time.sleep(0.1)
            if not _group_alive(proc.pid):
                break
        proc.poll()

    def kill(self) -> None:
        """SIGKILL the whole group at once, as a crash would."""
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and _group_alive(proc.pid):
                time.sleep(0.05)

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    # -- reading what the server holds -------------------------------------------------------

    def api(self, method: str, endpoint: str, **kw: Any) -> Dict[str, Any]:
        import requests

        resp = requests.request(method, f"{self.uri}/api/2.0/mlflow/{endpoint}", timeout=30, **kw)
        resp.raise_for_status()
        return resp.json()

    def run(self, run_id: str) -> Dict[str, Any]:
        return self.api("GET", "runs/get", params={"run_id": run_id})["run"]

    def history(self, run_id: str, key: str) -> List[Dict[str, Any]]:
        """Every point of one metric, all pages."""
        points: List[Dict[str, Any]] = []
        token = None
        while True:
            params = {"run_id": run_id, "metric_key": key, "max_results": 25000}
            if token:
                params["page_token"] = token
            doc = self.api("GET", "metrics/get-history", params=params)
            points.extend(doc.get("metrics", []))
            token = doc.get("next_page_token")
            if not token:
                return points

    def all_points(self, run_id: str) -> Dict[str, List[Dict[str, Any]]]:
        """{metric key: points sorted by (step, timestamp)} for every metric of the run."""
        keys = [m["key"] for m in self.run(run_id)["data"].get("metrics", [])]
        return {k: sorted(self.history(run_id, k), key=lambda p: (p["step"], p["timestamp"]))
                for k in keys}

    def params(self, run_id: str) -> Dict[str, str]:
        return {p["key"]: p["value"] for p in self.run(run_id)["data"].get("params", [])}

    def tags(self, run_id: str) -> Dict[str, str]:
        return {t["key"]: t["value"] for t in self.run(run_id)["data"].get("tags", [])}


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie leader still counts as the group; ask /proc whether anyone else is alive.
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2:].split()
            if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != b"Z":
                return True
    return False


_server: Optional[MlflowServer] = None


def _stop_server() -> None:
    if _server is not None:
        _server.stop()


@pytest.fixture(scope="session")
def mlflow_server() -> Iterator[MlflowServer]:
    """The session's MLflow server (one per test session, however many modules use it)."""
    global _server
    if importlib.util.find_spec("mlflow") is None:
        pytest.skip("mlflow is not installed, so no tracking server can run here; "
                    "`pip install -e '.[test]'` installs it")
    if _server is None:
        workdir = Path(tempfile.mkdtemp(prefix="runwrap-mlflow-"))
        server = MlflowServer(workdir)
        server.start()
        _server = server
        atexit.register(_stop_server)  # also on an interrupted session
    elif _server.proc is None:
        _server.start()  # a test stopped it and failed before restarting it
    yield _server
    _server.stop()  # the session is over (a later request in this session restarts it)
