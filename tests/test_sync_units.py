"""The sync layer's local parts, without a server: configuration, names, batches, positions."""
from __future__ import annotations

import math

import pytest

from sync_support import T0, make_run, steps, write_stream
from runwrap.errors import UsageError
from runwrap.store.streams import StreamWriter, stream_path
from runwrap.sync import resolve_config
from runwrap.sync.batching import MAX_ITEMS, MAX_PARAMS, MAX_TAGS, split_params_and_tags
from runwrap.sync.client import encode_body
from runwrap.sync.config import redact
from runwrap.sync.cursor import Position, SyncLock, SyncState
from runwrap.sync.mapping import (MAX_KEY, clean_key, config_params, experiment_name,
                                  record_points, run_tags, KeyCache)
from runwrap.sync.runsync import pending_points
from runwrap.sync.tails import StreamTail


def test_tracking_uri_precedence_is_flag_settings_runwrap_then_mlflow_variable():
    env = {"RUNWRAP_TRACKING_URI": "http://a:1", "MLFLOW_TRACKING_URI": "http://b:2"}
    assert resolve_config("http://flag:3", "http://settings:4", environ=env).uri == "http://flag:3"
    assert resolve_config(None, "http://settings:4", environ=env).source == "settings"
    assert resolve_config(environ=env).source == "RUNWRAP_TRACKING_URI"
    assert resolve_config(environ={"MLFLOW_TRACKING_URI": "http://b:2/"}).uri == "http://b:2"
    assert resolve_config(environ={}) is None
    # MLflow's own variable naming a local store (for other tools) is no server for us.
    assert resolve_config(environ={"MLFLOW_TRACKING_URI": "file:///tmp/mlruns"}) is None
    assert resolve_config(environ={"MLFLOW_TRACKING_URI": "databricks"}) is None


def test_credentials_come_from_mlflow_variables_or_the_uri_and_are_masked():
    config = resolve_config("https://bob:pa%3Ass@host:8443/prefix", environ={})
    assert (config.uri, config.username, config.password) == ("https://host:8443/prefix", "bob",
                                                             "pa:ss")
    assert "pa:ss" not in repr(config) and "bob" not in repr(config)
    token = resolve_config("http://h", environ={"MLFLOW_TRACKING_TOKEN": "t0k"})
    assert token.auth_headers() == {"Authorization": "Bearer t0k"} and "t0k" not in repr(token)
    assert redact("http://bob:secret@h:5000/x") == "http://***@h:5000/x"


def test_tls_options_insecure_or_a_ca_bundle(tmp_path):
    assert resolve_config("https://h", environ={"MLFLOW_TRACKING_INSECURE_TLS": "true"}).verify is False
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    env = {"MLFLOW_TRACKING_SERVER_CERT_PATH": str(bundle)}
    assert resolve_config("https://h", environ=env).verify == str(bundle)
    with pytest.raises(UsageError, match="MLFLOW_TRACKING_SERVER_CERT_PATH"):
        resolve_config("https://h", environ={"MLFLOW_TRACKING_SERVER_CERT_PATH": "/nope.pem"})


def test_a_uri_that_is_not_an_http_server_is_a_usage_error_without_the_password():
    with pytest.raises(UsageError, match="http") as info:
        resolve_config("file:///tmp/mlruns", environ={})
    with pytest.raises(UsageError) as info:
        resolve_config("databricks://u:topsecret@x", environ={})
    assert "topsecret" not in str(info.value)
    with pytest.raises(UsageError, match="anonymous"):
        resolve_config("http://h", anonymous="sometimes", environ={})


def test_keys_are_made_valid_for_mlflow_and_stay_distinct():
    assert clean_key("system/cpu/usage (%)") == "system/cpu/usage_percent"
    assert clean_key("eval//acc@1/") == "eval/acc_1"
    assert clean_key("../x") == "_/x"
    long_a, long_b = clean_key("a" * 300 + "1"), clean_key("a" * 300 + "2")
    assert len(long_a) == MAX_KEY and long_a != long_b
    assert KeyCache("system/")("gpu/0/util") == "system/gpu/0/util"
    assert KeyCache("system/")("system/cpu") == "system/cpu"


def test_experiment_is_entity_slash_project_or_project():
    assert experiment_name({"project": "p", "entity": "team"}) == "team/p"
    assert experiment_name({"project": "p"}) == "p"


def test_identity_tags_and_anonymous_must_leaves_out_the_user():
    meta = {"id": "abc", "name": "n", "notes": "hello", "tags": ["a b", "c"], "group": "g",
            "job_type": "train", "host": "box", "user": "ann", "git": {"commit": "f00"},
            "command": ["python", "train.py", "--x", "1 2"]}
    tags = run_tags(meta)
    assert tags["mlflow.note.content"] == "hello" and tags["mlflow.user"] == "ann"
    assert tags["runwrap.command"] == "python train.py --x '1 2'"
    assert tags["a b"] == "" and tags["runwrap.tags"] == "a b,c"
    assert "mlflow.user" not in run_tags(meta, anonymous="must")


def test_config_becomes_dotted_params_with_long_values_cut_visibly():
    params, cut = config_params({"opt": {"lr": 1e-3, "betas": [0.9, 0.99]}, "name": "x",
                                 "flag": True, "none": None, "big": "y" * 7000, "empty": {}})
    assert params["opt.lr"] == "0.001" and params["opt.betas"] == "[0.9, 0.99]"
    assert params["flag"] == "true" and params["none"] == "null" and params["empty"] == "{}"
    assert cut == ["big"] and params["big"].endswith("...[truncated by runwrap]")
    assert len(params["big"]) == 6000


def test_params_and_tags_split_under_every_limit():
    params = {f"p{i}": "v" for i in range(250)}
    tags = {f"t{i}": "v" for i in range(230)}
    batches = list(split_params_and_tags(params, tags))
    assert all(len(b.params) <= MAX_PARAMS and len(b.tags) <= MAX_TAGS and b.items <= MAX_ITEMS
               for b in batches)
    assert sum(len(b.params) for b in batches) == 250 and sum(len(b.tags) for b in batches) == 230


def test_record_points_use_step_or_index_and_time_in_ms_and_decode_nonfinite():
    keys = KeyCache()
    points = record_points({"_step": 7, "_time": T0 + 0.25, "a": 1, "b": "NaN", "s": "text",
                            "nested": {"x": 2.0}, "ok": True}, 3, keys, 0)
    assert [(p["key"], p["step"], p["timestamp"]) for p in points] == [
        ("a", 7, int((T0 + 0.25) * 1000)), ("b", 7, int((T0 + 0.25) * 1000)),
        ("nested/x", 7, int((T0 + 0.25) * 1000)), ("ok", 7, int((T0 + 0.25) * 1000))]
    assert math.isnan(points[1]["value"]) and points[3]["value"] == 1.0
    assert record_points({"_time": T0, "v": 1}, 3, keys, 0)[0]["step"] == 3


def test_request_bodies_carry_nan_and_infinity_as_strings_not_bare_tokens():
    body = encode_body({"metrics": [{"value": math.nan}, {"value": math.inf},
                                    {"value": -math.inf}, {"value": 2.5}]})
    assert body == (b'{"metrics":[{"value":"NaN"},{"value":"Infinity"},{"value":"-Infinity"},'
                    b'{"value":2.5}]}')


def test_tail_splits_a_wide_record_and_resumes_inside_it(tmp_path):
    run_dir = make_run(tmp_path, "tail0001")
    write_stream(run_dir, "sdk", [{"_step": 0, "_time": T0, **{f"k{i}": i for i in range(5)}},
                                  {"_step": 1, "_time": T0, "z": 1}])
    path = stream_path(run_dir, "sdk")
    tail = StreamTail(path, Position())
    first, pos = tail.take(3)
    assert [p["key"] for p in first] == ["k0", "k1", "k2"] and pos.within == 3
    resumed = StreamTail(path, pos)  # a new process picks up from the saved position
    rest, end = resumed.take(100)
    assert [p["key"] for p in rest] == ["k3", "k4", "z"]
    assert end == Position(path.stat().st_size, 2, 0)


def test_tail_leaves_a_torn_last_line_for_later(tmp_path):
    run_dir = make_run(tmp_path, "torn0001")
    write_stream(run_dir, "sdk", [{"_step": 0, "_time": T0, "a": 1}])
    path = stream_path(run_dir, "sdk")
    whole = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b'{"_step": 1, "a": 2')  # a writer mid-write
    tail = StreamTail(path, Position())
    points, pos = tail.take(100)
    assert len(points) == 1 and pos.offset == whole
    with open(path, "ab") as f:
        f.write(b'}\n')
    more, pos = tail.take(100)
    assert [p["value"] for p in more] == [2.0] and pos.offset == path.stat().st_size


def test_positions_are_saved_per_server_and_compared_by_offset(tmp_path):
    run_dir = make_run(tmp_path, "state001")
    state = SyncState(run_dir, "http://a")
    state.set_position("sdk.jsonl", Position(10, 2, 0))
    state.save()
    assert SyncState(run_dir, "http://a").position("sdk.jsonl") == Position(10, 2, 0)
    assert SyncState(run_dir, "http://b").position("sdk.jsonl") == Position()
    assert Position(10, 2, 0) < Position(10, 2, 1) < Position(11, 0, 0)
    assert Position.parse(Position(5, 1, 2).encode()) == Position(5, 1, 2)
    assert Position.parse("garbage") == Position()


def test_only_one_uploader_holds_a_run(tmp_path):
    run_dir = make_run(tmp_path, "lock0001")
    first, second = SyncLock(run_dir), SyncLock(run_dir)
    assert first.acquire() and not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_dry_run_counts_the_points_not_yet_acknowledged(tmp_path):
    run_dir = make_run(tmp_path, "dry00001")
    writer = StreamWriter(stream_path(run_dir, "system"))
    writer.write_many({"_time": T0 + i, "cpu": i, "mem": i} for i in range(10))
    writer.close()
    assert pending_points(run_dir) == 20
    state = SyncState(run_dir, "http://a")
    state.set_position("system.jsonl", StreamTail(stream_path(run_dir, "system"),
                                                  Position()).take(7)[1])
    state.save()
    assert pending_points(run_dir, "http://a") == 13


def test_resume_follows_committed_ranges_from_its_position_but_never_across_a_gap(tmp_path):
    from runwrap.sync.mapping import cursor_tag
    from runwrap.sync.runsync import RunSync
    from runwrap.sync.streaming import Range

    run_dir = make_run(tmp_path, "chain001")
    write_stream(run_dir, "sdk", steps(3, ["a"]))
    write_stream(run_dir, "system", [{"_time": T0, "cpu": 1}])
    config = resolve_config("http://127.0.0.1:9", environ={})
    p0, p1, p2, p3 = (Position(o, o // 10, 0) for o in (0, 10, 20, 30))
    tags = {cursor_tag("sdk.jsonl", 1): Range(p0, p1).encode(),  # committed, record lost
            cursor_tag("sdk.jsonl", 0): Range(p1, p2).encode(),  # and the next one too
            cursor_tag("system.jsonl", 0): Range(p2, p3).encode()}  # after a gap: not adopted
    rs = RunSync(run_dir, config, client=None)  # type: ignore[arg-type]
    rs._adopt_server_positions(tags)
    assert SyncState(run_dir, config.uri).position("sdk.jsonl") == p2
    assert SyncState(run_dir, config.uri).position("system.jsonl") == Position()
