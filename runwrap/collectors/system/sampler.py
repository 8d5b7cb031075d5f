"""The machine and the wrapped program's process tree, sampled every few seconds with psutil.

A thread of the wrapper writes one record per interval to `streams/system.jsonl` (`_time`,
`_runtime`, no `_step`). Metric names:

    system/cpu/usage (%)         whole machine, average over all cores (0-100)
    system/memory/used (MiB)     whole machine, memory in use (psutil's `used`)
    system/memory/usage (%)      whole machine, memory in use as a share of the total
    system/disk/read (MiB)       whole machine, bytes read from disks since the run started
    system/disk/written (MiB)    whole machine, bytes written to disks since the run started
    system/network/sent (MiB)    whole machine, bytes sent on all interfaces since the run started
    system/network/received (MiB) whole machine, bytes received since the run started
    system/process/cpu (%)       the program's process tree: CPU summed over its processes, in
                                 percent of one core (4 busy workers read 400), like `top`
    system/process/rss (MiB)     the tree's resident memory, summed (shared pages count per process)
    system/process/threads       the tree's threads, summed
    system/process/count         processes in the tree: the program and its descendants
                                 (DataLoader workers, torchrun ranks, shell pipelines)

plus the GPU metrics of `collectors.gpu` when NVML is available. The process keys are absent
while there is no program (not started yet, or exited). A process that left the tree by being
re-parented (a daemon that double-forked) is no longer counted.

Overhead: one sample reads a handful of /proc files for the machine and three per process of the
tree; the tree is found by walking `/proc/<pid>/task/<tid>/children` from the program down, so
the cost follows the tree's size, not the machine's process count. psutil.Process objects are
kept between samples, which is also what makes their `cpu_percent` a since-last-sample figure.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any, Dict, List, Optional

from runwrap.collectors.base import Collector, CollectorContext, warn_once
from runwrap.collectors.system.gpu import GpuSampler, open_gpus
from runwrap.store.streams import StreamWriter, stream_path

SOURCE = "system"

CPU_PERCENT = "system/cpu/usage (%)"
MEMORY_USED = "system/memory/used (MiB)"
MEMORY_PERCENT = "system/memory/usage (%)"
DISK_READ = "system/disk/read (MiB)"
DISK_WRITTEN = "system/disk/written (MiB)"
NETWORK_SENT = "system/network/sent (MiB)"
NETWORK_RECEIVED = "system/network/received (MiB)"
PROCESS_CPU_PERCENT = "system/process/cpu (%)"
PROCESS_RSS = "system/process/rss (MiB)"
PROCESS_THREADS = "system/process/threads"
PROCESS_COUNT = "system/process/count"

MIB = 1024 * 1024
_AUTO = object()  # "find NVML yourself" (the default), as opposed to None = "no GPUs"


def tree_pids(root: int) -> List[int]:
    """`root` and all its descendants, root first; [] when `root` is gone.

    Linux lists each thread's children in /proc/<pid>/task/<tid>/children, so walking down from
    the root touches only the tree. Without that file (other systems, kernels built without
    CONFIG_PROC_CHILDREN) psutil scans every process's parent instead."""
    if not os.path.exists(f"/proc/{root}/task/{root}/children"):
        return _tree_pids_psutil(root)
    out = [root]
    i = 0
    while i < len(out):
        pid = out[i]
        i += 1
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue  # exited while we walked
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                    out.extend(int(child) for child in f.read().split())
            except (OSError, ValueError):
                continue
    return out


def _tree_pids_psutil(root: int) -> List[int]:
    import psutil  # start-up: psutil is imported only where it is used

    try:
        proc = psutil.Process(root)
        return [root] + [child.pid for child in proc.children(recursive=True)]
    except psutil.Error:
        return []


PRIME_DELAY = 0.3  # seconds after the start before psutil and NVML are loaded


class SystemSampler(Collector):
    """Samples the machine and the child's process tree every `interval` seconds in a thread.

    `nvml`: the NVML library object to read GPUs with; by default `pynvml` if it is installed,
    None for no GPU metrics, or a stand-in object (tests)."""

    def __init__(self, context: CollectorContext, interval: float = 2.0, nvml: Any = _AUTO):
        super().__init__(context)
        self.interval = float(interval)
        self._nvml = nvml
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._writer: Optional[StreamWriter] = None
        self._procs: Dict[int, Any] = {}  # pid -> psutil.Process, kept so cpu_percent has a base
        self._base: Dict[str, float] = {}  # counters at the start (disk and network bytes)
        self._gpus: Optional[GpuSampler] = None

    # -- Collector interface ------------------------------------------------------------------

    def start(self) -> None:
        if self.interval <= 0 or self._thread is not None:
            return
        self._writer = StreamWriter(stream_path(self.context.run_dir, SOURCE, self.context.host_part))
        self._thread = threading.Thread(target=self._run, name="runwrap-system", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops sampling. No last sample: by now the program has exited, and the machine's
        figures of the last partial interval say little."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, 2 * self.interval))
            if self._thread.is_alive():
                return  # stuck in a /proc or NVML read: leave the daemon thread and its file
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._gpus is not None:
            self._gpus.close()
            self._gpus = None

    # -- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        # A run over in a moment (`runwrap -- true`, a failed start) gets no sample anyway:
        # waiting a little before the imports and NVML's start keeps them off its exit path.
        if self._stop.wait(min(PRIME_DELAY, self.interval / 2)):
            return
        try:
            self._prime()
        except Exception as e:  # psutil broken on this system: record nothing, say it once
            warn_once("system-start", f"system metrics are off: {type(e).__name__}: {e}")
            self.count("sample_error")
            return
        next_at = time.monotonic() + self.interval
        while not self._stop.wait(max(0.0, next_at - time.monotonic())):
            now = time.monotonic()
            # Keep the grid, but after a stall (suspended laptop) do not fire a burst of samples.
            next_at = max(next_at + self.interval, now + self.interval / 2)
            self._sample_and_write()

    def _prime(self) -> None:
        """First readings, so that the first record's CPU and byte figures cover one interval."""
        import psutil  # start-up: psutil is imported only where it is used

        psutil.cpu_percent(interval=None)
        disk = psutil.disk_io_counters()
        if disk is not None:
            self._base["disk_read"] = disk.read_bytes
            self._base["disk_written"] = disk.write_bytes
        net = psutil.net_io_counters()
        if net is not None:
            self._base["net_sent"] = net.bytes_sent
            self._base["net_received"] = net.bytes_recv
        self._process_tree()
        self._gpus = open_gpus() if self._nvml is _AUTO else (
            open_gpus(self._nvml) if self._nvml is not None else None)

    def _sample_and_write(self) -> None:
        try:
            record = self.sample()
        except Exception as e:  # one bad sample must not end sampling
            warn_once("system-sample", f"system sample failed: {type(e).__name__}: {e}")
            self.count("sample_error")
            return
        try:
            assert self._writer is not None
            self._writer.write(record)
        except OSError as e:
            warn_once("system-write", f"cannot write system metrics: {e}", e)
            self.count("write_error")

    def sample(self) -> Dict[str, Any]:
        """One record: the machine, the process tree, the GPUs, stamped with `_time`/`_runtime`."""
        import psutil  # start-up: psutil is imported only where it is used

        t = time.time()
        record: Dict[str, Any] = {"_time": t,
                                  "_runtime": round(self.context.clock.runtime_at(t), 3)}
        record[CPU_PERCENT] = psutil.cpu_percent(interval=None)
        memory = psutil.virtual_memory()
        record[MEMORY_USED] = round(memory.used / MIB, 3)
        record[MEMORY_PERCENT] = memory.percent
        disk = psutil.disk_io_counters()
        if disk is not None and "disk_read" in self._base:
            record[DISK_READ] = round((disk.read_bytes - self._base["disk_read"]) / MIB, 3)
            record[DISK_WRITTEN] = round((disk.write_bytes - self._base["disk_written"]) / MIB, 3)
        net = psutil.net_io_counters()
        if net is not None and "net_sent" in self._base:
            record[NETWORK_SENT] = round((net.bytes_sent - self._base["net_sent"]) / MIB, 3)
            record[NETWORK_RECEIVED] = round(
                (net.bytes_recv - self._base["net_received"]) / MIB, 3)
        tree = self._process_tree()
        if tree is not None:
            record.update(tree)
        if self._gpus is not None:
            pids = list(self._procs) if tree is not None else None
            record.update(self._gpus.sample(pids))
            for reading, message in self._gpus.errors.items():
                warn_once(f"gpu-{reading}", f"cannot read GPU {reading}: {message}")
                self.count("gpu_error")
        return record

    def _process_tree(self) -> Optional[Dict[str, Any]]:
        """The tree's summed figures, or None when there is no live program to measure."""
        import psutil  # start-up: psutil is imported only where it is used

        root = self.context.child_pid
        pids = tree_pids(root) if root else []
        alive: Dict[int, Any] = {}
        cpu = 0.0
        rss = 0
        threads = 0
        for pid in pids:
            proc = self._procs.get(pid)
            fresh = proc is None
            try:
                if fresh:
                    proc = psutil.Process(pid)
                with proc.oneshot():
                    # A process seen for the first time has no base for cpu_percent: it
                    # counts 0 this once and is measured from here on.
                    usage = proc.cpu_percent(interval=None)
                    if proc.status() == psutil.STATUS_ZOMBIE:
                        continue  # exited, not yet reaped: no longer part of the program
                    rss += proc.memory_info().rss
                    threads += proc.num_threads()
            except psutil.Error:
                continue  # exited between the walk and the read
            if not fresh:
                cpu += usage
            alive[pid] = proc
        self._procs = alive
        if not alive:
            return None
        return {PROCESS_CPU_PERCENT: round(cpu, 1), PROCESS_RSS: round(rss / MIB, 3),
                PROCESS_THREADS: threads, PROCESS_COUNT: len(alive)}
