"""Run directories for the sync tests, made with the real store functions and StreamWriter."""
from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from runwrap.store import documents
from runwrap.store.create import create_run
from runwrap.store.layout import CONFIG_YAML, RUN_JSON
from runwrap.store.streams import StreamWriter, stream_path
from wrapper_harness import wait_for  # noqa: F401  (re-exported to the tests)

T0 = 1_700_000_000.0  # a fixed start time: timestamps in the tests are exact


def make_run(root: Path, run_id: str, project: str = "proj", config: Optional[dict] = None,
             **meta: Any) -> Path:
    """A run directory as the wrapper leaves it while running (status `running`)."""
    doc = {"name": f"name-{run_id}", "start_time": T0, "mode": "offline",
           "command": ["python", "train.py", "--lr", "0.1"]}
    doc.update(meta)
    run_dir = create_run(root, project, run_id, doc, owner_kind="wrapper")
    documents.write_yaml(run_dir / CONFIG_YAML, config or {})
    return run_dir


def write_stream(run_dir: Path, source: str, records: Iterable[Dict[str, Any]],
                 part: Optional[str] = None) -> int:
    """Append records with the real writer; the number of numeric points written."""
    writer = StreamWriter(stream_path(run_dir, source, part))
    points = 0
    try:
        for record in records:
            writer.write(record)
            points += sum(1 for k, v in record.items() if not k.startswith("_")
                          and (isinstance(v, (int, float)) or v in ("NaN", "Infinity", "-Infinity")))
    finally:
        writer.close()
    return points


def end_run(run_dir: Path, status: str = "finished", end_time: float = T0 + 100) -> None:
    def finish(doc: dict) -> None:
        doc.update({"status": status, "end_time": end_time, "exit_code": 0})

    documents.update_json(run_dir / RUN_JSON, finish)


def steps(n: int, keys: List[str], start: int = 0) -> List[Dict[str, Any]]:
    """n records with _step and _time, one value per key (value = step * 10 + key index)."""
    return [dict({"_step": s, "_time": T0 + s * 0.5},
                 **{k: float(s * 10 + i) for i, k in enumerate(keys)})
            for s in range(start, start + n)]


def run_json(run_dir: Path) -> Dict[str, Any]:
    return documents.read_json(run_dir / RUN_JSON, {})


class FakeServer:
    """A tiny HTTP server on 127.0.0.1 whose answers a test scripts: (status, headers, body)."""

    def __init__(self, answers: List[tuple]):
        self.answers = list(answers)
        self.requests: List[dict] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "body": self.rfile.read(length)})
                status, headers, body = (fake.answers.pop(0) if len(fake.answers) > 1
                                         else fake.answers[0])
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def json_answer(status: int, doc: dict, **headers: str) -> tuple:
    return status, dict({"Content-Type": "application/json"}, **headers), json.dumps(doc).encode()
