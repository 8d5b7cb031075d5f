"""Every benchmark in one command and one table: runwrap beside each installed peer.

    python benchmarks/run.py [--quick] [--only WORKLOAD ...] [--json PATH] [--guild PATH]

Each workload measures runwrap and every installed peer in alternation within one run (A B A B
..., --rounds rounds, at least 5; --quick: 3 rounds and smaller inputs) and reports the median,
min and max of each, and the ratio of each median to the workload's reference (a bare baseline
such as a bare pipe, plain python, a bare JSON-lines writer, or the peer that is the standard
tool, such as EventFileLoader). Where the measuring script records CPU time the table also gives
the figure computed from CPU time: a busy, shared machine inflates wall time, not CPU time.
A peer that is not installed (`pip install -e '.[bench]'`) is a row that says so.

The measurements themselves are the per-area scripts' functions (wrapper.py, sdk_log.py,
tensorboard_read.py, stdout_scalars.py, mlflow_upload.py, store_listing.py, job_join.py,
system_overhead.py, ui_charts.py); each of those scripts still runs alone with its own, more
detailed output.
The table goes to stdout, progress to stderr, and the table with every round's raw figures to
--json (default: a new file in the system's temporary directory, never the repository).

Guild AI (guildai 0.9) needs protobuf < 5, which wandb does not allow, and pkg_resources
(setuptools < 81), so it is not in the extra: give it a virtual environment of its own
(`python -m venv /tmp/guild && /tmp/guild/bin/pip install guildai 'setuptools<81'`) and pass
`--guild /tmp/guild/bin/guild` (or set RUNWRAP_BENCH_GUILD; else `guild` on PATH is tried).
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

import harness  # noqa: E402
from harness import Contender, add_note, alternate, find, fmt, run_timed  # noqa: E402

PY = sys.executable
WORKLOADS = ("startup", "sdk", "log", "console", "rss", "tensorboard", "wandb", "stdout", "upload",
             "listing", "join", "sampler", "ui")


def installed(module: str) -> Optional[str]:
    """None when `module` can be imported, else the row's text."""
    return None if importlib.util.find_spec(module) is not None else "not installed"


class Bench:
    """Sizes of one run (full or --quick), its scratch directory, and the table so far."""

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        quick = args.quick
        self.rounds = args.rounds or (3 if quick else 5)
        self.tmp = tmp
        self.console_mb = 100 if quick else 500
        self.log_calls = 5_000 if quick else 20_000
        self.mlflow_log_calls = 200 if quick else 500
        self.tb_values = 200_000 if quick else 1_000_000
        self.tb_peer_values = 50_000 if quick else 100_000
        self.wandb_rows = 20_000 if quick else 100_000
        self.wandb_peer_python = args.wandb_peer_python
        self.stdout_lines = 200_000 if quick else 1_000_000
        self.upload_points = 10_000 if quick else 20_000
        self.store_runs = 20_000 if quick else 100_000  # in projects of 1,000 runs
        self.sampler_seconds = 4.0 if quick else 10.0
        self.ui_points = 20_000 if quick else 100_000  # per run, for 1, 10 and 100 runs
        self.guild = args.guild
        import sdk_log

        self.env = sdk_log.environment(str(tmp))
        self.env.update(TRACKIO_DIR=str(tmp / "trackio"), GUILD_HOME=str(tmp / "guild-home"),
                        PYTHONWARNINGS="ignore")
        self.store = Path(self.env["RUNWRAP_DIR"])
        self.table: List[dict] = []
        self.references: Dict[str, str] = {}
        self.notes: List[str] = []

    def add(self, rows: List[dict], reference: Optional[str]) -> List[dict]:
        if rows and reference:
            self.references[rows[0]["workload"]] = reference
        self.table.extend(rows)
        return rows

    def clear_store(self) -> None:
        shutil.rmtree(self.store, ignore_errors=True)


# -- start-up -------------------------------------------------------------------------------

PLAIN_SCRIPT = """\
for step in range(100):
    print(f"step: {step}")
    print(f"loss: {1.0 / (step + 1):.6f}")
"""

SDK_SCRIPT = """\
import os
{imp}
{init}
for i in range(100):
    row = {{"loss": 1.0 / (i + 1), "acc": i / 100}}
    {log}
{finish}
"""


def guild_command(b: Bench) -> tuple:
    """(guild executable or None, why not)."""
    candidates = [b.guild, os.environ.get("RUNWRAP_BENCH_GUILD"), shutil.which("guild")]
    exe = next((c for c in candidates if c), None)
    if exe is None:
        return None, "not installed (needs protobuf<5: a venv of its own, then --guild)"
    return exe, None


def startup(b: Bench) -> None:
    import sdk_log
    import wrapper

    def shell(cmd: str) -> Callable[[], Dict[str, float]]:
        return lambda: run_timed(cmd, b.env)

    # 1. wrapping `true`
    true_cmd, wrapped_true = wrapper.startup_commands().values()
    cs = [Contender("true", shell(true_cmd)), Contender("runwrap -- true", shell(wrapped_true))]
    res = alternate("startup true", cs, b.rounds, warmup=True)
    rows = b.add(harness.rows("start-up: wrap `true`", res, cs, "wall", "ms", "true",
                              cpu_metric="cpu", scale=1000), "`true` alone")
    added(rows, "true", "runwrap -- true", limit=80, target="issue 2: +80 ms")

    # 2. a 100-step script
    scripts = b.tmp / "scripts"
    scripts.mkdir()
    plain = scripts / "plain.py"
    plain.write_text(PLAIN_SCRIPT)
    guild_dir = b.tmp / "guild-project"
    guild_dir.mkdir()
    (guild_dir / "train.py").write_text(PLAIN_SCRIPT)
    (b.tmp / "guild-home").mkdir()
    cs = [Contender("plain python", shell(f"{PY} {plain}")),
          Contender("runwrap -- python (wrapper, defaults)",
                    shell(f"{PY} -m runwrap --quiet -- {PY} {plain}"))]
    for name in ("runwrap", "wandb", "trackio", "mlflow"):
        imp, init, log_call, finish = sdk_log.PEERS[name]
        path = scripts / f"sdk_{name}.py"
        path.write_text(SDK_SCRIPT.format(imp=imp, init=init, log=log_call, finish=finish))
        label = {"runwrap": "runwrap.init() script (offline)", "wandb": "wandb script (offline)",
                 "trackio": "trackio script (local)", "mlflow": "mlflow script (SQLite)"}[name]
        cs.append(Contender(label, shell(f"{PY} {path}"), installed(name)))
    exe, why = guild_command(b)
    cs.append(Contender("guild run (same plain script)",
                        lambda: run_timed(f"{exe} run -y train.py", b.env, cwd=str(guild_dir)),
                        why))
    res = alternate("startup script", cs, b.rounds, warmup=True)
    b.clear_store()
    rows = b.add(harness.rows("start-up: 100-step script", res, cs, "wall", "ms", "plain python",
                              cpu_metric="cpu", scale=1000), "plain `python`")
    for c in cs[1:]:
        added(rows, "plain python", c.name, limit=None, target=None)


def added(rows: List[dict], ref: str, name: str, limit: Optional[float],
          target: Optional[str]) -> None:
    """Note on `name`'s row the milliseconds it adds to the reference (wall and CPU) and, with a
    limit, whether the target is met."""
    r, c = [next((x for x in rows if x["contender"] == n and "median" in x), None)
            for n in (ref, name)]
    if r is None or c is None:
        return
    wall = c["median"] - r["median"]
    text = f"+{fmt(wall)} ms wall"
    if "cpu_median" in c and "cpu_median" in r:
        cpu = c["cpu_median"] - r["cpu_median"]
        text += f", +{fmt(cpu)} ms CPU"
    if limit is not None:
        text += f"; target {target}: " + verdict(wall <= limit)
        if "cpu_median" in c:
            text += f" (CPU basis: {verdict(cpu <= limit)})"
    add_note(c, text)


def verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


# -- SDK: import, init, finish ------------------------------------------------------------------


def sdk(b: Bench) -> None:
    import sdk_log

    tmp = str(b.tmp)
    cs = [Contender("python (bare)", lambda: sdk_log.bare_start_round(b.env, tmp))]
    for name in ("runwrap", "wandb", "trackio", "mlflow"):
        cs.append(Contender(name, (lambda n=name: sdk_log.start_round(n, b.env, tmp)),
                            installed(name)))
    res = alternate("sdk", cs, b.rounds, warmup=True)
    # The bare interpreter's figures under the peers' metric names, for one row each.
    for r in res["python (bare)"]:
        r.update(process_import=r["process"], finish_exit=r["exit"])
    rows = b.add(harness.rows("SDK import (whole process)", res, cs, "process_import", "ms",
                              "python (bare)", scale=1000,
                              names={"python (bare)": "python -c pass"}), "`python -c pass`")
    ref, ours = find(rows, rows[0]["workload"], "python -c pass"), find(rows, rows[0]["workload"],
                                                                        "runwrap")
    if ref and ours:
        extra = ours["median"] - ref["median"]
        inner = statistics.median(r["import"] for r in res["runwrap"]) * 1000
        add_note(ours, f"{extra:+.0f} ms over bare python ({inner:.1f} ms inside the process); "
                       f"target issue 4: +30 ms: {verdict(extra <= 30)}")
    cs_init = [c for c in cs if c.name != "python (bare)"]
    rows = b.add(harness.rows("SDK init() (offline, in-process)", res, cs_init, "init", "ms",
                              "wandb" if not installed("wandb") else None, scale=1000),
                 "wandb.init (offline)" if not installed("wandb") else None)
    ours = find(rows, rows[0]["workload"], "runwrap") if rows else None
    if ours:
        add_note(ours, f"target issue 4: <= 10 ms: {verdict(ours['median'] <= 10)}")
    rows = b.add(harness.rows("SDK finish() + interpreter exit", res, cs, "finish_exit", "ms",
                              "python (bare)", scale=1000,
                              names={"python (bare)": "bare interpreter exit"}),
                 "a bare interpreter's exit")
    ours = find(rows, rows[0]["workload"], "runwrap")
    if ours:
        add_note(ours, f"target issue 4: <= 20 ms: {verdict(ours['median'] <= 20)}")


# -- log() ------------------------------------------------------------------------------------


def log_calls(b: Bench) -> None:
    import sdk_log

    tmp = str(b.tmp)
    names = {"bare": "bare JSON-lines writer", "runwrap": "runwrap", "wandb": "wandb (offline)",
             "trackio": "trackio (local SQLite)",
             "mlflow": f"mlflow log_metrics (SQLite; first {b.mlflow_log_calls:,} calls)"}
    for width in (1, 10):
        cs = []
        for name in names:
            n = b.mlflow_log_calls if name == "mlflow" else b.log_calls
            cs.append(Contender(name, (lambda nm=name, n=n: sdk_log.log_round(nm, n, width, b.env,
                                                                              tmp)),
                                None if name == "bare" else installed(name)))
        for c in cs:  # a short warm-up of each (bytecode, first-use files) off the clock
            if not c.missing:
                harness.log(f"[log] warm-up {c.name}")
                try:
                    sdk_log.log_round(c.name, 100, width, b.env, tmp)
                except (Exception, SystemExit) as exc:  # noqa: BLE001
                    c.missing = f"failed: {str(exc).strip().splitlines()[-1][:120]}"
        res = alternate(f"log x{width}", cs, b.rounds)
        b.clear_store()
        workload = f"log() of {width} scalar{'s' if width > 1 else ''} ×{b.log_calls:,} + finish()"
        rows = b.add(harness.rows(workload, res, cs, "rate", "calls/s", "bare",
                                  cpu_metric="cpu_rate", names=names), "bare JSON-lines writer")
        add_note(find(rows, workload, "wandb (offline)"),
                 "CPU basis: this process only, not its wandb-core service")
        if width == 10:
            ours = find(rows, workload, "runwrap")
            if ours:
                add_note(ours, "target issue 4: >= 100,000 calls/s: "
                               f"{verdict(ours['median'] >= 100_000)} (CPU basis: "
                               f"{verdict(ours.get('cpu_median', 0) >= 100_000)})")
            b.add(harness.rows(f"peak RSS of the logging process (10 scalars ×{b.log_calls:,})",
                               res, cs, "rss_mb", "MB", "bare", names=names,
                               notes={"wandb": "its wandb-core service process not counted",
                                      "bare": "includes the prepared rows, as every row does"}),
                  "bare JSON-lines writer")


# -- console pass-through and the wrapper's memory ------------------------------------------


def console(b: Bench) -> None:
    import wrapper

    mb = b.console_mb
    commands = wrapper.throughput_commands(wrapper.child_command(mb))

    def through(cmd: str, wrapped: bool) -> Callable[[], Dict[str, float]]:
        def measure() -> Dict[str, float]:
            t = run_timed(cmd, b.env)
            if wrapped:
                b.clear_store()  # the run keeps the whole console: do not pile up GBs
            return {"rate": mb / t["wall"], "cpu_rate": mb / t["cpu"], "wall": t["wall"]}
        return measure

    cs = [Contender(label, through(cmd, label != "bare pipe")) for label, cmd in commands.items()]
    # What any recorder must at least do: one more copy, and the bytes into a file.
    tee = commands["bare pipe"].replace(" | cat", f" | tee {b.tmp / 'tee.log'} | cat", 1)
    cs.insert(1, Contender("tee", through(tee, True)))
    res = alternate("console", cs, b.rounds)
    workload = f"console pass-through, {mb} MB"
    rows = b.add(harness.rows(workload, res, cs, "rate", "MB/s", "bare pipe",
                              cpu_metric="cpu_rate",
                              names={"runwrap pipe, scalars": "runwrap pipe + scalar parsing",
                                     "tee": "child | tee FILE | cat (no wrapper)"}),
                 "bare pipe (child | cat)")
    b.notes.append("Console pass-through: CPU basis = MB per CPU-second of the whole pipeline "
                   "(child, runwrap, cat).")
    bare, pipe, pty = (find(rows, workload, n) for n in ("bare pipe", "runwrap pipe",
                                                          "runwrap pty"))
    if bare and pipe:
        share = pipe["median"] / bare["median"]
        cpu_share = pipe.get("cpu_median", 0) / bare["cpu_median"] if "cpu_median" in bare else 0
        add_note(pipe, f"{100 * share:.0f}% of bare pipe ({100 * cpu_share:.0f}% on CPU basis); "
                       f"target issue 2: >= 80%: {verdict(share >= 0.8)}")
    if pty:
        add_note(pty, f"target issue 2: >= 80 MB/s: {verdict(pty['median'] >= 80)} "
                      f"(CPU basis: {verdict(pty.get('cpu_median', 0) >= 80)})")


BARE_RSS = ("import json\nwith open('/proc/self/status') as f:\n"
            "    print([int(l.split()[1]) / 1024 for l in f if l.startswith('VmHWM:')][0])\n")


def rss(b: Bench) -> None:
    import subprocess

    import wrapper

    mb = b.console_mb
    child = wrapper.child_command(mb)

    def bare() -> Dict[str, float]:
        out = subprocess.run([PY, "-c", BARE_RSS], env=b.env, capture_output=True, text=True,
                             check=True)
        return {"rss_mb": float(out.stdout.strip())}

    def wrapped(cmd: str) -> Callable[[], Dict[str, float]]:
        def measure() -> Dict[str, float]:
            peak = wrapper.peak_rss_of_wrapper(cmd, b.env)
            b.clear_store()
            if peak <= 0:
                raise RuntimeError("the wrapper process was not found while it ran")
            return {"rss_mb": peak}
        return measure

    pty_cmd = wrapper.rss_command(child).replace(" --no-pty ", " --pty ", 1)
    cs = [Contender("bare python interpreter", bare),
          Contender(f"runwrap wrapper, pipe (child prints {mb} MB)",
                    wrapped(wrapper.rss_command(child))),
          Contender(f"runwrap wrapper, pty (child prints {mb} MB)", wrapped(pty_cmd))]
    res = alternate("rss", cs, b.rounds)
    rows = b.add(harness.rows("peak RSS of the wrapper", res, cs, "rss_mb", "MB",
                              "bare python interpreter"), "a bare `python -c` (its VmHWM)")
    for row in rows[1:]:
        if "median" in row:
            add_note(row, f"target issue 2: < 60 MB: {verdict(row['median'] < 60)}")


# -- readers and parsers --------------------------------------------------------------------


def tensorboard(b: Bench) -> None:
    if installed("tensorboardX"):
        b.add([{"workload": "TensorBoard read", "contender": "(all)", "unit": "values/s",
                "reference": False, "status": "not run: tensorboardX writes the event file",
                "note": ""}], None)
        return
    import tensorboard_read as tb

    big = b.tmp / "tb" / "big" / "events.out.tfevents.0.bench"
    small = b.tmp / "tb" / "small" / "events.out.tfevents.0.bench"
    big.parent.mkdir(parents=True)
    small.parent.mkdir(parents=True)
    t = time.perf_counter()
    tb.write_file(big, b.tb_values, "tensorboardx")
    tb.prefix_file(big, small, b.tb_peer_values)
    harness.log(f"[tensorboard] wrote {b.tb_values:,} values in {time.perf_counter() - t:.0f} s")
    from runwrap.collectors.tensorboard.framing import CRC_IMPLEMENTATION

    def child(kind: str, path: Path, limit: int) -> Callable[[], Dict[str, float]]:
        def measure() -> Dict[str, float]:
            r = tb.run_child(kind, path, limit)
            return {"rate": r["values"] / r["seconds"],
                    "cpu_rate": r["values"] / max(r["cpu"], 1e-9),
                    "rss_mb": r["rss_mb"], "values": r["values"]}
        return measure

    missing = installed("tensorboard")
    prefix = f"first {b.tb_peer_values:,} values"
    names = {"ours": f"runwrap reader ({CRC_IMPLEMENTATION} CRC)",
             "collector": "runwrap collector (reader + JSONL stream)",
             "loader": f"EventFileLoader ({prefix})",
             "accumulator": f"EventAccumulator ({prefix})"}
    cs = [Contender("ours", child("ours", big, b.tb_values)),
          Contender("collector", child("collector", big, b.tb_values)),
          Contender("loader", child("loader", small, b.tb_peer_values), missing),
          Contender("accumulator", child("accumulator", small, b.tb_peer_values), missing)]
    res = alternate("tensorboard", cs, b.rounds)
    workload = f"TensorBoard read, {b.tb_values:,} values"
    rows = b.add(harness.rows(workload, res, cs, "rate", "values/s", "loader",
                              cpu_metric="cpu_rate", names=names), "EventFileLoader")
    ours = find(rows, workload, names["ours"])
    if ours:
        add_note(ours, f"target issue 3: >= 250,000 values/s: {verdict(ours['median'] >= 250_000)}"
                       f" (CPU basis: {verdict(ours.get('cpu_median', 0) >= 250_000)})")
    b.add(harness.rows("peak RSS of the TensorBoard reader", res, cs, "rss_mb", "MB", "loader",
                       names=names), "EventFileLoader (on its prefix)")


def wandb_log(b: Bench) -> None:
    """Importing a wandb log beside wandb's own reader; the wrapper's start-up with wandb
    importable and not (the wrapper never imports it: the two should not differ)."""
    import wandb_read as wr
    import wrapper

    missing = installed("wandb")
    if missing:
        b.add([{"workload": "wandb log read", "contender": "(all)", "unit": "rows/s",
                "reference": False, "status": "not run: wandb writes the log", "note": ""}], None)
    else:
        t = time.perf_counter()
        log = wr.write_log(b.tmp / "wandb-bench", b.wandb_rows)
        harness.log(f"[wandb] wandb wrote {b.wandb_rows:,} rows in "
                    f"{time.perf_counter() - t:.0f} s")
        peer = None if wr.has_datastore(None) else b.wandb_peer_python
        why = None if peer or wr.has_datastore(None) else \
            "not run: wandb>=0.23 has no Python datastore (pass --wandb-peer-python)"

        def child(kind: str, python: Optional[str] = None) -> Callable[[], Dict[str, float]]:
            def measure() -> Dict[str, float]:
                r = wr.run_measure(kind, log, python)
                return {"rate": r["rows"] / r["seconds"], "cpu_rate": r["rows"] / r["cpu"]}
            return measure

        names = {"import": "runwrap import-wandb (reader + stream, config, summary)",
                 "reader": "runwrap reader (framing + records)",
                 "datastore": "wandb DataStore scan + protobuf (wandb <= 0.22)",
                 "protobuf": "runwrap framing + wandb's protobuf parser"}
        cs = [Contender("import", child("import")), Contender("reader", child("reader")),
              Contender("datastore", child("datastore", peer), why),
              Contender("protobuf", child("protobuf"))]
        res = alternate("wandb", cs, b.rounds)
        reference = "protobuf" if why else "datastore"
        b.add(harness.rows(f"wandb log read, {b.wandb_rows:,} rows", res, cs, "rate", "rows/s",
                           reference, cpu_metric="cpu_rate", names=names), names[reference])
    # Start-up: a wandb that cannot be imported (a package of that name that raises).
    hidden = b.tmp / "no-wandb"
    (hidden / "wandb").mkdir(parents=True, exist_ok=True)
    (hidden / "wandb" / "__init__.py").write_text("raise ImportError('hidden for the benchmark')\n")
    wrapped_true = wrapper.startup_commands()["runwrap -- true"]
    cs = [Contender("wandb installed", lambda: run_timed(wrapped_true, b.env), missing),
          Contender("wandb not importable",
                    lambda: run_timed(wrapped_true, dict(b.env, PYTHONPATH=str(hidden))))]
    res = alternate("startup wandb", cs, b.rounds, warmup=True)
    b.add(harness.rows("start-up: wrap `true`, wandb installed or not", res, cs, "wall", "ms",
                       "wandb not importable", cpu_metric="cpu", scale=1000), "wandb not importable")


def stdout(b: Bench) -> None:
    import stdout_scalars as ss

    path = str(b.tmp / "train.log")
    ss.make_log(path, b.stdout_lines)
    lines = b.stdout_lines

    def measure(fn) -> Callable[[], Dict[str, float]]:
        def run() -> Dict[str, float]:
            wall, cpu = ss.measure(fn, path, lines)
            return {"rate": wall, "cpu_rate": cpu}
        return run

    cs = [Contender("bare read", measure(ss.bare_read)), Contender("runwrap parser",
                                                                   measure(ss.ours)),
          Contender("Guild-style loop (re-implementation)", measure(ss.guild_style))]
    res = alternate("stdout", cs, b.rounds)
    workload = f"stdout scalar parsing, {lines:,} lines"
    rows = b.add(harness.rows(workload, res, cs, "rate", "lines/s", "bare read",
                              cpu_metric="cpu_rate"), "a bare read of the lines")
    ours = find(rows, workload, "runwrap parser")
    if ours:
        add_note(ours, f"target issue 3: >= 300,000 lines/s: {verdict(ours['median'] >= 300_000)}"
                       f" (CPU basis: {verdict(ours.get('cpu_median', 0) >= 300_000)})")


# -- MLflow upload --------------------------------------------------------------------------


def upload(b: Bench) -> None:
    workload = f"upload to a local MLflow server, {b.upload_points:,} points"
    if installed("mlflow"):
        b.add([{"workload": workload, "contender": "(all)", "unit": "metrics/s",
                "reference": False, "status": "not run: mlflow not installed", "note": ""}], None)
        return
    import mlflow_upload as mu

    workdir = b.tmp / "mlflow-server"
    workdir.mkdir()
    harness.log("[upload] starting an MLflow server")
    proc, uri = mu.start_server(workdir, 4)
    try:
        keys = 10
        records = b.upload_points // keys
        count = iter(range(10**6))
        mu.peer(uri, "warmup", 100, keys)
        mu.ours(uri, workdir / "store", "warmup", 100, keys)
        cs = [Contender("MlflowClient.log_batch",
                        lambda: {"rate": mu.peer(uri, f"peer{next(count)}", records, keys)}),
              Contender("runwrap sync", lambda: {"rate": mu.ours(uri, workdir / "store",
                                                                 f"ours{next(count)}", records,
                                                                 keys)})]
        res = alternate("upload", cs, b.rounds)
    finally:
        mu.stop_server(proc)
    rows = b.add(harness.rows(workload, res, cs, "rate", "metrics/s", "MlflowClient.log_batch"),
                 "MlflowClient.log_batch (1,000 per call)")
    ours, peer = find(rows, workload, "runwrap sync"), find(rows, workload,
                                                           "MlflowClient.log_batch")
    if ours and peer:
        add_note(ours, "target issue 5: >= 9,000 metrics/s and >= MlflowClient: "
                       f"{verdict(ours['median'] >= 9000 and ours['median'] >= peer['median'])}")
    b.notes.append("MLflow upload: one server (`mlflow server`, SQLite, 4 workers) on this "
                   "machine; its CPU competes with the uploader's.")


# -- the store ------------------------------------------------------------------------------


def listing(b: Bench) -> None:
    import store_listing as sl

    root = b.tmp / "listing"
    store = root / "store"
    per = 1_000  # one project's runs
    projects = b.store_runs // per
    t = time.perf_counter()
    ids = sl.build_store(store, b.store_runs, projects)
    harness.log(f"[listing] built {b.store_runs:,} runs in {time.perf_counter() - t:.0f} s")
    env = dict(b.env, RUNWRAP_DIR=str(store), COLUMNS="200")
    rw = [PY, "-m", "runwrap"]

    def proc(args: List[str], e: Dict[str, str] = env) -> Callable[[], Dict[str, float]]:
        def measure() -> Dict[str, float]:
            return run_timed(args, e, shell=False)
        return measure

    comp = dict(env, _RUNWRAP_COMPLETE="bash_complete",
                COMP_WORDS="runwrap compare --project p0 ", COMP_CWORD="4")
    cs = [Contender("python -c pass", proc([PY, "-c", "pass"])),
          Contender(f"runwrap ls --limit 20 ({b.store_runs:,} runs)",
                    proc(rw + ["ls", "--limit", "20"])),
          Contender(f"runwrap ls --project ({per:,} runs)", proc(rw + ["ls", "--project", "p0"])),
          Contender(f"runwrap compare --project ({per:,} runs)",
                    proc(rw + ["compare", "--project", "p0"])),
          Contender("runwrap compare A B (by id and by name)",
                    proc(rw + ["compare", ids[1], "bench-run-0-2"])),
          Contender(f"completion `compare <TAB>` ({per:,} runs)", proc(rw, comp))]
    # The warm-up round is also the one that builds the listing index (.index/).
    res = alternate("listing", cs, b.rounds, warmup=True)
    workload = f"store of {b.store_runs:,} runs ({projects} projects), a fresh process per command"
    rows = b.add(harness.rows(workload, res, cs, "wall", "s", "python -c pass",
                              cpu_metric="cpu"), "`python -c pass` (interpreter start-up)")
    for row in rows:
        name = row["contender"]
        target, issue = (0.2, 6) if name.startswith("completion") else (0.5, 6)
        if name.startswith("runwrap ls"):
            issue = 13
        if name != "python -c pass" and "median" in row:
            add_note(row, f"target issue {issue}: < {target} s: {verdict(row['median'] < target)}"
                          f" (CPU basis: {verdict(row.get('cpu_median', 9) < target)})")

    # Beside MLflow: the same runs in an MLflow SQLite store (one experiment per project).
    workload = f"{b.store_runs:,} runs ({projects} projects of {per:,}) beside MLflow"
    missing = installed("mlflow")
    client = exps = None
    if not missing:
        harness.log(f"[listing] building an MLflow SQLite store of {b.store_runs:,} runs")
        t = time.perf_counter()
        client, exps = sl.build_mlflow_store(root, projects, per)
        harness.log(f"[listing] built in {time.perf_counter() - t:.0f} s")
    from runwrap.store.index import newest_runs

    def in_process(project: Optional[str], limit: int) -> Callable[[], Dict[str, float]]:
        def measure() -> Dict[str, float]:
            t0 = time.perf_counter()
            found = [r for r, _ in zip(newest_runs(str(store), project), range(limit))]
            assert len(found) == limit, len(found)
            return {"wall": time.perf_counter() - t0}
        return measure

    cs = [Contender("MLflow search_runs, newest 20 (SQLite, in-process)",
                    lambda: {"wall": sl.search_newest(client, exps, 20)}, missing),
          Contender("runwrap newest 20 (in-process)", in_process(None, 20)),
          Contender("runwrap ls --limit 20 --json (fresh process)",
                    proc(rw + ["ls", "--limit", "20", "--json"])),
          Contender(f"MLflow search_runs, one experiment ({per:,} runs, in-process)",
                    lambda: {"wall": sl.search_mlflow(client, exps[0], per)}, missing),
          Contender(f"runwrap one project ({per:,} runs, in-process)", in_process("p0", per)),
          Contender(f"runwrap ls --project --json ({per:,} runs, fresh process)",
                    proc(rw + ["ls", "--project", "p0", "--json"]))]
    res = alternate("listing vs mlflow", cs, b.rounds, warmup=True)
    b.add(harness.rows(workload, res, cs, "wall", "s",
                       "MLflow search_runs, newest 20 (SQLite, in-process)"),
          "MLflow search_runs, newest 20")


# -- cluster jobs ---------------------------------------------------------------------------


def join(b: Bench) -> None:
    import job_join as jj

    parts = 64
    store = b.tmp / "join" / "store"
    t = time.perf_counter()
    jj.build_job(store, parts)
    harness.log(f"[join] {parts - 1} parts made in {time.perf_counter() - t:.0f} s")
    cs = [Contender("runwrap -- true (a run of its own)", jj.alone_measure(b.tmp / "join-alone")),
          Contender(f"runwrap -- true (part {parts} of a SLURM job's run)",
                    jj.join_measure(store, parts))]
    res = alternate("join", cs, b.rounds, warmup=True)
    b.add(harness.rows(f"a task joining a job's run of {parts - 1} parts", res, cs, "wall", "ms",
                       cs[0].name, cpu_metric="cpu", scale=1000), "the same task as a run of its own")
    shutil.rmtree(b.tmp / "join", ignore_errors=True)


# -- the system sampler ---------------------------------------------------------------------


def sampler(b: Bench) -> None:
    import system_overhead as so

    seconds, interval = b.sampler_seconds, 2.0

    def measure(enabled: bool) -> Callable[[], Dict[str, float]]:
        def run() -> Dict[str, float]:
            cpu, wall, _ = so.sampler_round(seconds, interval, enabled)
            return {"share": 100 * cpu / wall}
        return run

    cs = [Contender("process without sampler", measure(False)),
          Contender(f"SystemSampler every {interval:g} s", measure(True))]
    res = alternate("sampler", cs, b.rounds)
    workload = f"idle CPU while the child sleeps {seconds:g} s"
    rows = b.add(harness.rows(workload, res, cs, "share", "% of a core",
                              "process without sampler"), "the same process, no sampler")
    off, on = (find(rows, workload, c.name) for c in cs)
    if off and on:
        own = on["median"] - off["median"]
        add_note(on, f"sampler's own share {own:.2f}%; target issue 3: < 1%: {verdict(own < 1)}"
                     f" (CPU time is counted in 10 ms ticks: {1 / seconds:.2f}% here)")


# -- the dashboard ---------------------------------------------------------------------------


def ui(b: Bench) -> None:
    """runwrap ui beside TensorBoard (ui_charts.py): time to first chart of 1, 10 and 100 runs,
    bytes per chart, update latency."""
    missing = installed("selenium") or installed("plotly") or (
        None if shutil.which("chromium") and shutil.which("chromedriver")
        else "no chromium/chromedriver (apt-get install chromium chromium-driver)")
    if missing:
        b.add([{"workload": "runwrap ui", "contender": "runwrap ui", "unit": "ms",
                "reference": False, "note": "", "status": missing}], None)
        return
    import ui_charts

    rows = ui_charts.measure([1, 10, 100], b.ui_points, b.rounds, installed("tensorboard") is None,
                             b.tmp / "ui", mlflow=installed("mlflow") is None)
    for row in rows:
        values = row["values"]
        out = {"workload": row["figure"], "contender": row["contender"], "unit": row["unit"],
               "reference": bool(row.get("reference")), "note": row["note"]}
        if values:
            out.update(status="ok", values=values, rounds=len(values),
                       median=statistics.median(values), min=min(values), max=max(values))
        else:
            out["status"] = "no figures"
        b.table.append(out)
    for row in b.table:
        ref = next((r for r in b.table if r["workload"] == row["workload"] and r["reference"]
                    and "median" in r), None)
        if ref is not None and "median" in row and not row["reference"] and row.get("unit") == "ms":
            row["ratio"] = row["median"] / ref["median"]
        if ref is not None:
            b.references[row["workload"]] = ref["contender"]
    for row in b.table:
        if row["workload"].startswith("time to first chart, 100 ") and "warm" in row["contender"] \
                and "median" in row:
            add_note(row, f"target issue 16: < 1 s: {verdict(row['median'] < 1000)}")


RUNNERS: Dict[str, Callable[[Bench], None]] = {
    "startup": startup, "sdk": sdk, "log": log_calls, "console": console, "rss": rss,
    "tensorboard": tensorboard, "wandb": wandb_log, "stdout": stdout, "upload": upload, "listing": listing,
    "join": join, "sampler": sampler, "ui": ui,
}


def main(argv: Optional[List[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="3 rounds and smaller inputs (a few minutes)")
    ap.add_argument("--only", nargs="+", choices=WORKLOADS, metavar="WORKLOAD",
                    help=f"run these workloads only: {', '.join(WORKLOADS)}")
    ap.add_argument("--rounds", type=int, help="rounds per workload (default 5; --quick 3)")
    ap.add_argument("--json", metavar="PATH",
                    help="where to save the table and raw figures (default: a temporary file)")
    ap.add_argument("--guild", metavar="PATH", help="a `guild` executable (its own venv)")
    ap.add_argument("--wandb-peer-python", metavar="PATH",
                    help="a Python whose wandb still has its datastore reader (wandb<=0.22)")
    args = ap.parse_args(argv)
    if args.rounds is not None and args.rounds < 3:
        ap.error("--rounds must be at least 3")
    tmp = Path(tempfile.mkdtemp(prefix="runwrap-bench-"))
    json_path = (Path(args.json).resolve() if args.json
                 else tmp.parent / f"runwrap-bench-{int(time.time())}.json")
    os.chdir(tmp)  # the wrapper's TensorBoard discovery scans the working directory
    b = Bench(args, tmp)
    started, up_before, machine = time.time(), harness.uptime(), harness.machine()
    commit = harness.commit(BENCH.parent)
    try:
        for name in args.only or WORKLOADS:
            t = time.perf_counter()
            harness.log(f"== {name}")
            with contextlib.redirect_stdout(sys.stderr):  # peers' chatter (MLflow's run links)
                RUNNERS[name](b)
            harness.log(f"== {name} took {time.perf_counter() - t:.0f} s")
    finally:
        os.chdir(BENCH)
        shutil.rmtree(tmp, ignore_errors=True)
    up_after = harness.uptime()
    b.notes.insert(0, "Ratio: the row's median ÷ the reference's median, in the row's unit "
                      "(for ms, s, MB and % lower is better; for /s higher is better). "
                      "CPU basis: the same figure from CPU time (user+sys) instead of wall time "
                      "where the script measures it.")
    table = harness.markdown(b.table, b.references)
    header = (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, "
              f"{'quick' if args.quick else 'full'} run, {b.rounds} rounds, "
              f"{time.time() - started:.0f} s; {machine['cpus']} CPUs ({machine['cpu_model']}), "
              f"Python {machine['python']}; runwrap {commit}\n"
              f"before: {up_before}\nafter:  {up_after}")
    print(header + "\n\n" + table + "\n\n" + "\n".join(f"- {n}" for n in b.notes))
    record = {"date": started, "commit": commit, "quick": args.quick, "rounds": b.rounds,
              "duration_s": time.time() - started, "machine": machine,
              "uptime_before": up_before, "uptime_after": up_after,
              "references": b.references, "notes": b.notes, "rows": b.table,
              "markdown": table}
    json_path.write_text(json.dumps(record, indent=1))
    harness.log(f"saved {json_path}")


if __name__ == "__main__":
    main()
