"""The dashboard under hostile clients: malformed query values, clients that hang up on an
error reply, bursts of connections, connections that never send a request.

Bad input gets a 4xx, never a 500; the terminal stays quiet (no traceback); the server keeps
a bounded number of connections alive and queues a burst instead of dropping it."""
from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path
from typing import List

import pytest

from faults_support import figures, wait_for
from tools_support import curve, make_run
from ui_support import UiServer


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dashboard") / "store"
    make_run(root, curve(20), run_id="alpha", name="alpha", config=["lr=0.1"])
    return root


BAD_VALUES = ["²", "٣x", "9" * 5000, "-1", "1e999", "nan", "inf", "%00", "\x00", "a,b,,c", "",
              "0x10", " 1", "1 ", "１２"]
PARAMS = {
    "/api/console": ["run=proj/alpha&offset={}", "run=proj/alpha&name={}", "run={}"],
    "/api/series": ["metric=loss&run=proj/alpha&since={}", "metric=loss&run=proj/alpha&width={}",
                    "metric=loss&run=proj/alpha&lo={}", "metric=loss&run=proj/alpha&hi={}",
                    "metric=loss&run=proj/alpha&x={}", "metric={}&run=proj/alpha"],
    "/api/newest": ["count={}", "project={}", "filter={}"],
    "/api/runs": ["config={}", "metrics={}", "filter={}"],
    "/api/run": ["run={}"],
    "/api/diff": ["a=proj/alpha&b={}"],
    "/api/metrics": ["run={}"],
}


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def test_bad_query_values_get_a_4xx_never_a_500(store: Path) -> None:
    ui = UiServer(store)
    try:
        answers: List[tuple] = []
        for path, templates in PARAMS.items():
            for template in templates:
                for value in BAD_VALUES:
                    status, _, _ = ui.get(f"{path}?{template.format(_quote(value))}")
                    answers.append((status, path, template, value[:12]))
    finally:
        ui.close()
    server_errors = [a for a in answers if a[0] >= 500]
    line = figures("dashboard_bad_values", requests=len(answers), server_errors=len(server_errors),
                   first=server_errors[:4],
                   statuses=sorted({a[0] for a in answers}))
    assert not server_errors, line
    assert (400, "/api/console", PARAMS["/api/console"][0], "²") in answers, line


def _threads(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for row in f:
            if row.startswith("Threads:"):
                return int(row.split()[1])
    return 0


def _hang_up_hard(sock: socket.socket) -> None:
    """Close with a reset (SO_LINGER 0), as a browser tab closed mid-request does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_clients_hanging_up_on_error_replies_leave_the_terminal_quiet(store: Path) -> None:
    ui = UiServer(store)
    try:
        ui.get("/api/runs")  # the server is up and answering
        baseline = _threads(ui.proc.pid)
        port = int(ui.port)
        requests = [b"GET /api/console?run=proj/alpha&offset=%C2%B2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    b"GET /api/run?run=nope/none HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    b"GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    b"GARBAGE\r\n\r\n",
                    b"GET /static/plotly.min.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    b"GET /api/runs HTTP/1.1\r\nHost: evil.example\r\n\r\n"]
        for _ in range(10):
            for request in requests:
                sock = socket.create_connection(("127.0.0.1", port))
                sock.sendall(request)
                _hang_up_hard(sock)
        # Every handler thread those clients started has ended: whatever it printed is out.
        deadline = time.monotonic() + 60
        while _threads(ui.proc.pid) > baseline and time.monotonic() < deadline:
            time.sleep(0.05)
        status, _, _ = ui.get("/api/runs")
    finally:
        ui.proc.send_signal(signal.SIGINT)
        _, stderr = ui.proc.communicate(timeout=30)
    line = figures("dashboard_hang_ups", connections=10 * len(requests), still_serving=status,
                   stderr=stderr[-400:])
    assert status == 200, line
    assert "Traceback" not in stderr and "Exception" not in stderr, line


def test_a_burst_of_connections_is_queued_not_dropped(store: Path) -> None:
    ui = UiServer(store)
    port = int(ui.port)
    burst = 100
    socks = []
    try:
        os.kill(ui.proc.pid, signal.SIGSTOP)  # nothing is accepted: only the kernel's queue holds them
        for _ in range(burst):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            socks.append(sock)
        pending = set(socks)
        deadline = time.monotonic() + 10
        while pending and time.monotonic() < deadline:
            _, ready, _ = select.select([], list(pending), [], 0.2)
            pending -= set(ready)
        queued = burst - len(pending)
    finally:
        os.kill(ui.proc.pid, signal.SIGCONT)
        for sock in socks:
            sock.close()
        ui.close()
    line = figures("dashboard_burst", burst=burst, queued_by_the_kernel=queued)
    assert queued == burst, line


def test_an_idle_connection_is_closed(store: Path) -> None:
    ui = UiServer(store, "--idle-timeout", "0.5")
    try:
        silent = socket.create_connection(("127.0.0.1", int(ui.port)))
        silent.settimeout(60)
        closed_by_server = silent.recv(1) == b""  # EOF: the server gave up on it
        # The same for a kept-alive connection after its answer.
        kept = socket.create_connection(("127.0.0.1", int(ui.port)))
        kept.settimeout(60)
        kept.sendall(f"GET /api/runs HTTP/1.1\r\nHost: 127.0.0.1:{ui.port}\r\n\r\n".encode())
        data = b""
        while True:
            chunk = kept.recv(65536)
            if not chunk:
                break
            data += chunk
        answered = data.startswith(b"HTTP/1.1 200")
        silent.close()
        kept.close()
    finally:
        ui.close()
    line = figures("dashboard_idle", silent_closed=closed_by_server,
                   kept_alive_answered_then_closed=answered)
    assert closed_by_server and answered, line


def _accept_queue(port: int) -> int:
    """Connections the kernel holds for the listening socket, not yet accepted (ss's Recv-Q)."""
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True,
                         timeout=30).stdout.split()
    return int(out[1]) if len(out) > 1 else -1


@pytest.mark.skipif(shutil.which("ss") is None, reason="needs ss (iproute2) to read the queue")
def test_connections_past_the_limit_wait_in_the_queue_not_in_threads(store: Path) -> None:
    from runwrap.ui.server import MAX_CONNECTIONS

    ui = UiServer(store, "--idle-timeout", "120")
    port = int(ui.port)
    extra = 10
    socks = []
    try:
        for _ in range(MAX_CONNECTIONS + extra):  # each sends nothing: a thread waits on it
            socks.append(socket.create_connection(("127.0.0.1", port)))
        # One more is accepted and waits for a thread; the rest wait in the kernel's queue.
        wait_for(lambda: _accept_queue(port) == extra - 1, timeout=60,
                 what=f"{extra - 1} connections left waiting in the listen queue")
        threads = _threads(ui.proc.pid)
        for sock in socks[:extra]:  # ten served ones hang up: ten waiting ones are taken
            sock.close()
        wait_for(lambda: _accept_queue(port) == 0, timeout=60, what="the queue drained")
    finally:
        for sock in socks:
            sock.close()
        ui.close()
    line = figures("dashboard_connection_limit", connections=MAX_CONNECTIONS + extra,
                   server_threads_at_the_limit=threads)
    assert threads <= MAX_CONNECTIONS + 8, line
