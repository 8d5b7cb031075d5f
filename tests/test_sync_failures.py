"""When the tracking server is down, slow, refuses, or wants credentials."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from mlflow_server import free_port, mlflow_server  # noqa: F401  (the session fixture)
from sync_support import (T0, FakeServer, end_run, json_answer, make_run, run_json, steps,
                          wait_for, write_stream)
from runwrap.errors import AuthenticationError, CommError
from runwrap.store import documents
from runwrap.store.streams import StreamWriter, stream_path
from runwrap.sync import Uploader, check_server, resolve_config, sync_run
from runwrap.sync.client import RestClient
from runwrap.sync.cursor import REJECTED_JSONL, SYNC_JSON


@pytest.fixture
def fake() -> Iterator:
    servers: List[FakeServer] = []

    def make(*answers: tuple) -> FakeServer:
        servers.append(FakeServer(list(answers)))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def test_401_fails_check_server_with_authentication_error_and_hides_the_token(fake):
    server = fake(json_answer(401, {"error_code": "UNAUTHENTICATED", "message": "bad token"}))
    config = resolve_config(tracking_uri=server.uri,
                            environ={"MLFLOW_TRACKING_TOKEN": "s3cret-token"})
    with pytest.raises(AuthenticationError) as info:
        check_server(config)
    assert "401" in str(info.value) and "s3cret-token" not in str(info.value)
    assert server.requests[0]["headers"]["Authorization"] == "Bearer s3cret-token"
    assert "s3cret-token" not in repr(config)
    assert len(server.requests) == 1  # rejected credentials are not retried


def test_403_is_an_authentication_error_too_and_basic_auth_is_sent(fake):
    server = fake(json_answer(403, {"error_code": "PERMISSION_DENIED", "message": "no"}))
    config = resolve_config(tracking_uri=server.uri.replace("http://", "http://ann:pw%40x@"),
                            environ={})
    with pytest.raises(AuthenticationError):
        check_server(config)
    assert server.requests[0]["headers"]["Authorization"] == "Basic YW5uOnB3QHg="  # ann:pw@x
    assert "pw@x" not in config.uri


def test_unreachable_server_and_non_mlflow_server_fail_check_with_comm_error(fake):
    with pytest.raises(CommError) as info:
        check_server(resolve_config(tracking_uri=f"http://127.0.0.1:{free_port()}", environ={}))
    assert not isinstance(info.value, AuthenticationError)
    html = fake((404, {"Content-Type": "text/html"}, b"<h1>nothing here</h1>"))
    with pytest.raises(CommError, match="MLflow tracking server"):
        check_server(resolve_config(tracking_uri=html.uri, environ={}))


def test_anonymous_never_without_credentials_fails_before_any_request(fake):
    server = fake(json_answer(200, {}))
    config = resolve_config(tracking_uri=server.uri, anonymous="never", environ={})
    with pytest.raises(AuthenticationError, match="anonymous='never'"):
        check_server(config)
    assert server.requests == []


def test_429_and_503_are_retried_with_backoff_then_succeed(fake):
    server = fake(json_answer(429, {"error_code": "RESOURCE_EXHAUSTED", "message": "slow down"},
                              **{"Retry-After": "0"}),
                  json_answer(503, {"message": "restarting"}),
                  json_answer(200, {"experiment_id": "7"}))
    client = RestClient(resolve_config(tracking_uri=server.uri, environ={}), backoff=0.01)
    assert client.experiment_id("x") == "7"
    assert len(server.requests) == 3


def test_5xx_forever_gives_up_after_the_attempts_with_comm_error(fake):
    server = fake(json_answer(500, {"message": "boom"}))
    client = RestClient(resolve_config(tracking_uri=server.uri, environ={}), attempts=3,
                        backoff=0.01)
    with pytest.raises(CommError, match="500"):
        client.get("experiments/search", max_results=1)
    assert len(server.requests) == 3


@pytest.mark.mlflow
@pytest.mark.timeout(300)  # may start (or restart) the session's server
def test_refused_batch_is_reported_once_kept_and_the_rest_still_uploads(mlflow_server, tmp_path):
    config = resolve_config(tracking_uri=mlflow_server.uri, environ={})
    run_dir = make_run(tmp_path, "refuse01")
    write_stream(run_dir, "sdk", steps(5, ["loss"]))
    assert sync_run(run_dir, config).state == "partial"  # still running
    rid = run_json(run_dir)["sync"]["run_id"]
    # Someone logs `lr` on the server; then the run's config gets another `lr`: MLflow will
    # refuse our params batch (a param cannot change).
    RestClient(config).log_batch(rid, [], [{"key": "lr", "value": "0.5"}], [])
    documents.write_yaml(run_dir / "config.yaml", {"lr": 0.1})
    write_stream(run_dir, "sdk", steps(5, ["loss"], start=5))
    end_run(run_dir)
    warnings = []

    result = sync_run(run_dir, config, warn=lambda kind, msg: warnings.append(msg))

    assert result.state == "error"
    assert len(warnings) == 1 and "Changing param values is not allowed" in warnings[0]
    kept = [json.loads(line) for line in (run_dir / REJECTED_JSONL).read_text().splitlines()]
    assert kept[0]["params"] == [{"key": "lr", "value": "0.1"}] and kept[0]["status"] == 400
    assert len(mlflow_server.history(rid, "loss")) == 10
    assert mlflow_server.run(rid)["info"]["status"] == "FINISHED"
    assert run_json(run_dir)["sync"]["state"] == "error"


@pytest.mark.mlflow
@pytest.mark.timeout(300)  # may start (or restart) the session's server
def test_credentials_are_never_written_to_the_run_directory(mlflow_server, tmp_path):
    uri = mlflow_server.uri.replace("http://", "http://alice:hunter2pw@")
    config = resolve_config(tracking_uri=uri, environ={"MLFLOW_TRACKING_TOKEN": "tok-xyz-987"})
    run_dir = make_run(tmp_path, "creds001")
    write_stream(run_dir, "sdk", steps(3, ["loss"]))
    end_run(run_dir)
    assert sync_run(run_dir, config).state == "synced"
    for path in Path(run_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"hunter2pw" not in data and b"tok-xyz-987" not in data, path


@pytest.mark.mlflow
@pytest.mark.timeout(300)  # may start (or restart) the session's server
@pytest.mark.slow
def test_server_killed_mid_run_and_restarted_holds_exactly_the_points_logged(mlflow_server,
                                                                            tmp_path):
    config = resolve_config(tracking_uri=mlflow_server.uri, environ={})
    run_dir = make_run(tmp_path, "outage01")
    writer = StreamWriter(stream_path(run_dir, "sdk"))
    step = 0

    def log(n: int) -> None:
        nonlocal step
        for _ in range(n):
            writer.write({"_step": step, "_time": T0 + step * 0.001, "loss": step * 0.5,
                          "acc": step * 0.25})
            step += 1

    uploader = Uploader(run_dir, config, interval=0.05, warn=lambda kind, msg: None)
    uploader.start()
    log(3000)
    assert wait_for(lambda: run_json(run_dir).get("sync", {}).get("run_id"), 30)
    assert wait_for(lambda: (documents.read_json(run_dir / SYNC_JSON) or {}).get(
        "servers", {}).get(config.uri, {}).get("points", 0) > 0, 30)
    mlflow_server.kill()  # mid-run, likely mid-request
    log(2000)  # the program goes on while the server is down
    writer.close()
    end_run(run_dir)
    started = time.monotonic()
    result = uploader.stop(timeout=1.0)
    assert time.monotonic() - started < 5
    assert result.state == "partial"
    assert run_json(run_dir)["sync"]["state"] == "partial"

    mlflow_server.start()
    result = sync_run(run_dir, config)

    assert result.state == "synced", result.error
    rid = run_json(run_dir)["sync"]["run_id"]
    for key in ("loss", "acc"):
        hist = mlflow_server.history(rid, key)
        assert len(hist) == 5000
        assert sorted(p["step"] for p in hist) == list(range(5000))
