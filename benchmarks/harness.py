"""The pieces of benchmarks/run.py that are not about any one workload: alternating contenders
round by round, turning rounds into table rows, the Markdown table, and the machine's description.
"""
from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import traceback
from typing import Callable, Dict, List, Optional

# A contender is a name and a function that measures it once and returns numbers
# ({"value": ..., "cpu": ..., ...}); `missing` says why it cannot run ("not installed").
Measure = Callable[[], Dict[str, float]]


class Contender:
    def __init__(self, name: str, measure: Optional[Measure] = None,
                 missing: Optional[str] = None) -> None:
        self.name = name
        self.measure = measure
        self.missing = missing


def log(message: str) -> None:
    """Progress goes to stderr; stdout is the table alone."""
    print(message, file=sys.stderr, flush=True)


def alternate(group: str, contenders: List[Contender], rounds: int,
              warmup: bool = False) -> Dict[str, List[Dict[str, float]]]:
    """Measure every available contender once per round, in the same order each round (A B A B
    ...), so a change in the machine's load hits all of them alike. A contender that raises is
    marked failed (its `missing`) and left out of the later rounds; the others go on."""
    results: Dict[str, List[Dict[str, float]]] = {c.name: [] for c in contenders}
    if warmup:  # page cache, bytecode, first-use files: off the clock
        for c in contenders:
            _attempt(group, c, "warm-up")
    for r in range(rounds):
        for c in contenders:
            out = _attempt(group, c, f"round {r + 1}/{rounds}")
            if out is not None:
                results[c.name].append(out)
    return results


def _attempt(group: str, c: Contender, label: str) -> Optional[Dict[str, float]]:
    if c.missing or c.measure is None:
        return None
    try:
        out = c.measure()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - one failing peer must not end the run
        detail = str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
        c.missing = f"failed: {detail[0][:120]}"
        log(f"[{group}] {c.name}: FAILED ({label})\n{traceback.format_exc(limit=3)}")
        return None
    shown = ", ".join(f"{k}={v:.4g}" for k, v in out.items() if isinstance(v, (int, float)))
    log(f"[{group}] {label} {c.name}: {shown}")
    return out


def run_timed(cmd, env: Dict[str, str], shell: bool = True, **kwargs) -> Dict[str, float]:
    """Wall seconds and CPU seconds (user+sys of every process it waited for) of one command.
    CPU time is what a loaded, shared machine does not inflate."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, shell=shell, env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise RuntimeError(f"exit status {done.returncode}: {tail[0][:200]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"wall": wall, "cpu": cpu}


def rows(workload: str, results: Dict[str, List[Dict[str, float]]], contenders: List[Contender],
         metric: str, unit: str, reference: Optional[str], *, cpu_metric: Optional[str] = None,
         scale: float = 1.0, notes: Optional[Dict[str, str]] = None,
         names: Optional[Dict[str, str]] = None) -> List[dict]:
    """One table row per contender: median, min, max of `metric` (times `scale`), and the ratio
    of its median to the reference's median. Contenders without that metric are skipped."""
    notes = notes or {}
    names = names or {}
    out = []
    ref_median = None
    if reference is not None and results.get(reference):
        ref_median = statistics.median(r[metric] * scale for r in results[reference])
    for c in contenders:
        label = names.get(c.name, c.name)
        row = {"workload": workload, "contender": label, "unit": unit,
               "reference": c.name == reference, "note": notes.get(c.name, "")}
        values = [r[metric] * scale for r in results.get(c.name, []) if metric in r]
        if not values:
            if c.missing or not results.get(c.name):
                row["status"] = c.missing or "not run"
                out.append(row)
            continue
        row.update(status="ok", values=values, rounds=len(values),
                   median=statistics.median(values), min=min(values), max=max(values))
        if cpu_metric:
            cpu = [r[cpu_metric] * scale for r in results[c.name] if cpu_metric in r]
            if cpu:
                row["cpu_median"] = statistics.median(cpu)
        if ref_median:
            row["ratio"] = row["median"] / ref_median
        out.append(row)
    return out


def find(table: List[dict], workload: str, contender: str) -> Optional[dict]:
    for row in table:
        if row["workload"] == workload and row["contender"] == contender and "median" in row:
            return row
    return None


def add_note(row: Optional[dict], text: str) -> None:
    if row is not None:
        row["note"] = f"{row['note']}; {text}" if row.get("note") else text


def fmt(value: float) -> str:
    """Three significant figures, thousands separated: 0.512, 38.4, 1,234, 250,000."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def markdown(table: List[dict], references: Dict[str, str]) -> str:
    table = [{k: (v.replace("|", "\\|") if isinstance(v, str) else v) for k, v in row.items()}
             for row in table]  # a `|` in a name would end its cell
    references = {k.replace("|", "\\|"): v.replace("|", "\\|") for k, v in references.items()}
    lines = ["| Workload | Contender | Median | Min–max | Unit | CPU basis | ÷ reference "
             "| Notes |",
             "|---|---|---:|---:|---|---:|---:|---|"]
    last = None
    for row in table:
        workload = row["workload"] if row["workload"] != last else ""
        if workload and references.get(row["workload"]):
            workload += f" (reference: {references[row['workload']]})"
        last = row["workload"]
        if "median" not in row:
            lines.append(f"| {workload} | {row['contender']} | — | — | {row['unit']} | | | "
                         f"{row['status']}{'; ' + row['note'] if row.get('note') else ''} |")
            continue
        ratio = "reference" if row["reference"] else (f"{fmt(row['ratio'])}×" if "ratio" in row
                                                       else "—")
        cpu = fmt(row["cpu_median"]) if "cpu_median" in row else ""
        lines.append(f"| {workload} | {row['contender']} | {fmt(row['median'])} | "
                     f"{fmt(row['min'])}–{fmt(row['max'])} | {row['unit']} | {cpu} | {ratio} | "
                     f"{row.get('note', '')} |")
    return "\n".join(lines)


def machine() -> Dict[str, object]:
    """What the figures were measured on."""
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model or platform.processor(),
            "memory": memory, "python": platform.python_version(),
            "platform": platform.platform(), "load_average": list(os.getloadavg())}


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def commit(repo) -> str:
    """The checkout's commit, and "+ local changes" when its working tree differs."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                                  text=True).stdout.strip()
        except OSError:
            return ""
    head = git("rev-parse", "--short", "HEAD") or "unknown commit"
    return head + (" + local changes" if git("status", "--porcelain", "--untracked-files=no")
                   else "")
