"""What the fault tests share: wrapped runs, reading what a run kept, small filesystems, and
network proxies that misbehave on purpose.

Every fault test reports what it tried and what was kept and lost with `figures()`: the line is
printed (visible with `pytest -s` or in the captured output of a failure) and also returned, so
it goes into the assertion messages.
"""
from __future__ import annotations

import contextlib
import json
import os
import random
import select
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from runwrap import env as envnames
from wrapper_harness import wait_for  # noqa: F401  (re-exported to the tests)

RUNWRAP = [sys.executable, "-m", "runwrap"]
# Only what a fault test looks at: no console scalars, no system sampling, no TensorBoard walk.
QUIET_COLLECTORS = ["--no-scalars", "--stats-interval", "0", "--no-tensorboard-discovery"]


def figures(name: str, **values: Any) -> str:
    """One line `FAULTS name: k=v ...`, printed and returned for assertion messages."""
    line = f"FAULTS {name}: " + " ".join(f"{k}={v}" for k, v in values.items())
    print(line)
    return line


def clean_env(store: Optional[Path] = None, **extra: str) -> Dict[str, str]:
    """The environment of a user's shell: no RUNWRAP_* or MLflow variables of the test run."""
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("RUNWRAP_") and not k.startswith("MLFLOW_")}
    if store is not None:
        environ[envnames.DIR] = str(store)
    environ.update(extra)
    return environ


def write_script(folder: Path, name: str, code: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(code))
    return path


def wrap_cmd(store: Path, *args: str) -> List[str]:
    return RUNWRAP + ["--dir", str(store), *QUIET_COLLECTORS, *args]


# -- reading what a run kept --------------------------------------------------------------------


def run_dirs(store: Path) -> List[Path]:
    return sorted(p.parent for p in Path(store).glob("*/*/run.json"))


def run_meta(run_dir: Path) -> Dict[str, Any]:
    return json.loads((Path(run_dir) / "run.json").read_text())


def stream_lines(run_dir: Path, pattern: str = "sdk*.jsonl") -> Tuple[List[dict], int, int]:
    """(records, torn lines, files) of the streams matching `pattern`.

    A torn line is a complete line that is not a JSON object, or a last line without its
    newline: both count as lost, and the first kind must never happen."""
    records: List[dict] = []
    torn = 0
    files = sorted((Path(run_dir) / "streams").glob(pattern))
    for path in files:
        data = path.read_bytes()
        lines = data.split(b"\n")
        tail = lines.pop()
        if tail:
            torn += 1
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                torn += 1
                continue
            if isinstance(record, dict):
                records.append(record)
            else:
                torn += 1
    return records, torn, len(files)


def no_traceback(*texts: str) -> bool:
    return not any("Traceback (most recent call last)" in t for t in texts)


def warning_lines(stderr: str) -> List[str]:
    return [line for line in stderr.splitlines() if line.startswith("runwrap: warning:")]


# -- processes ----------------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (it may not be our child)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rfind(b")") + 2:].split()[0] != b"Z"


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def read_lines_until(proc: subprocess.Popen, count: int, timeout: float = 30.0) -> List[bytes]:
    """Read `count` lines of the process's stdout (fewer if it ends or time runs out)."""
    lines: List[bytes] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while len(lines) < count and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
    return lines


# -- small filesystems --------------------------------------------------------------------------


def mount_tmpfs(target: Path, size: str = "2m") -> Optional[str]:
    """Mount a tmpfs of `size` at `target`; the reason when this machine does not allow it."""
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(target)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return f"cannot mount a tmpfs here ({(done.stderr or done.stdout).strip()})"
    return None


@contextlib.contextmanager
def small_tmpfs(target: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` at `target` for the test's duration (the test skips, saying why,
    where this machine cannot mount one)."""
    import pytest

    reason = mount_tmpfs(target, size)
    if reason:
        pytest.skip(reason)
    try:
        yield target
    finally:
        unmount(target)


def remount_read_only(target: Path) -> Optional[str]:
    done = subprocess.run(["mount", "-o", "remount,ro", str(target)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        return f"cannot remount read-only here ({(done.stderr or done.stdout).strip()})"
    return None


def unmount(target: Path) -> None:
    for _ in range(50):
        done = subprocess.run(["umount", str(target)], capture_output=True, text=True)
        if done.returncode == 0 or "not mounted" in done.stderr:
            return
        time.sleep(0.1)  # busy: a process of the test is still closing its files
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


# -- network faults -----------------------------------------------------------------------------


class TcpProxy:
    """A TCP proxy on 127.0.0.1 in front of `target_port` that misbehaves on demand.

    `delay`: seconds each chunk waits before it is passed on (a slow network or server).
    `drop`: the fraction of requests (chunks from the client) whose connection is broken: half
    of them before the request reaches the server; the other half after it went through, when
    the answer comes back (the server did the work, the client never hears of it: the case
    retries must not double). `down`: refuse service (accept and close at once)."""

    def __init__(self, target_port: int, seed: int = 0):
        self.target = ("127.0.0.1", target_port)
        self.delay = 0.0
        self.drop = 0.0
        self.down = False
        self.rng = random.Random(seed)
        self.counts = {"connections": 0, "refused": 0, "dropped_before": 0,
                       "dropped_after": 0, "delayed_chunks": 0}
        self._lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.uri = f"http://127.0.0.1:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def heal(self) -> None:
        self.delay, self.drop, self.down = 0.0, 0.0, False

    def close(self) -> None:
        self._closed = True
        self.listener.close()

    def _count(self, key: str) -> None:
        with self._lock:
            self.counts[key] += 1

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._count("connections")
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _roll(self) -> float:
        with self._lock:
            return self.rng.random()

    def _serve(self, client: socket.socket) -> None:
        if self.down:
            self._count("refused")
            client.close()
            return
        cut_after_answer = False
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            client.close()
            return
        pairs = {client: upstream, upstream: client}
        try:
            while True:
                ready, _, _ = select.select(list(pairs), [], [], 30)
                if not ready:
                    return
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    if src is upstream and cut_after_answer:
                        self._count("dropped_after")
                        return  # the server answered; the client never hears it
                    if src is client:
                        roll = self._roll()
                        if roll < self.drop / 2:
                            self._count("dropped_before")
                            return  # the request never reaches the server
                        cut_after_answer = roll < self.drop
                    if self.delay:
                        self._count("delayed_chunks")
                        time.sleep(self.delay)
                    pairs[src].sendall(data)
        except OSError:
            return
        finally:
            for s in (client, upstream):
                try:
                    s.close()
                except OSError:
                    pass


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers (a hung
    tracking server, a proxy to nowhere). `accepted` counts connections; `connected` is set at
    the first."""

    def __init__(self) -> None:
        self.accepted = 0
        self.connected = threading.Event()
        self._held: List[socket.socket] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.uri = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self._held.append(conn)  # kept open, never read, never answered
            self.accepted += 1
            self.connected.set()

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.listener.close()
        for conn in self._held:
            conn.close()

    def __enter__(self) -> "SilentServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class FlakyHttpProxy:
    """An HTTP proxy on 127.0.0.1 that answers 500 to a fraction of the requests and forwards
    the rest to `target` (the real server). Half of the 500s are sent after the request was
    forwarded and done (the server holds the data, the client is told it failed)."""

    def __init__(self, target: str, fail_rate: float, seed: int = 0):
        import http.server

        import requests

        self.target = target.rstrip("/")
        self.fail_rate = fail_rate
        self.rng = random.Random(seed)
        self.counts = {"requests": 0, "500_before": 0, "500_after": 0, "forwarded": 0}
        lock = threading.Lock()
        proxy = self
        session = requests.Session()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with lock:
                    proxy.counts["requests"] += 1
                    roll = proxy.rng.random()
                fail = roll < proxy.fail_rate
                if fail and roll < proxy.fail_rate / 2:
                    with lock:
                        proxy.counts["500_before"] += 1
                    return self._send(500, b'{"error_code": "INTERNAL_ERROR"}',
                                      "application/json")
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                try:
                    with lock:
                        resp = session.request(self.command, proxy.target + self.path,
                                               data=body, headers=headers, timeout=30)
                except Exception:
                    return self._send(502, b"bad gateway", "text/plain")
                if fail:
                    with lock:
                        proxy.counts["500_after"] += 1
                    return self._send(500, b'{"error_code": "INTERNAL_ERROR"}',
                                      "application/json")
                with lock:
                    proxy.counts["forwarded"] += 1
                self._send(resp.status_code, resp.content,
                           resp.headers.get("Content-Type", "application/json"))

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle  # PUT: run artifacts

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.uri = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def server_points(server: Any, run_id: str) -> Dict[str, List[int]]:
    """{metric key: sorted steps of every point the server holds} via runs/get and
    metrics/get-history."""
    return {k: [p["step"] for p in pts] for k, pts in server.all_points(run_id).items()}


def exactly_once(points: Dict[str, List[int]], keys: List[str],
                 n: int) -> Dict[str, Tuple[int, int]]:
    """{key: (missing, duplicated)} against steps 0..n-1 for each key."""
    out = {}
    for key in keys:
        steps = points.get(key, [])
        missing = len(set(range(n)) - set(steps))
        out[key] = (missing, len(steps) - len(set(steps)))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def iter_chunks(items: List[Any], size: int) -> Iterator[List[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
