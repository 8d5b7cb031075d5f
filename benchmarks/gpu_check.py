"""Check the GPU metrics on a real NVIDIA machine: run the system sampler for a few seconds and
print what it records.

    python benchmarks/gpu_check.py [--seconds 6] [--interval 0.5]

The wrapped "program" is a child Python process: with torch and CUDA it allocates ~1 GiB on
GPU 0 and keeps a kernel busy, so `system/gpu/0/process memory (MiB)` must read about 1 GiB and
utilization above 0; without torch it only sleeps, and the device figures alone are checked.
Needs only psutil, nvidia-ml-py and this package. Exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Allow `python benchmarks/gpu_check.py` from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runwrap.collectors.base import CollectorContext  # noqa: E402
from runwrap.collectors.system.gpu import open_gpus  # noqa: E402
from runwrap.collectors.system.sampler import SystemSampler  # noqa: E402
from runwrap.store.streams import read_records, stream_path  # noqa: E402

GPU_CHILD = r"""
import sys, time
import torch
x = torch.empty(256 * 1024 * 1024, dtype=torch.float32, device="cuda:0")  # 1 GiB
a = torch.randn(4096, 4096, device="cuda:0")
print("allocated", flush=True)
end = time.time() + float(sys.argv[1])
while time.time() < end:
    a = (a @ a).clamp_(-1, 1)
    torch.cuda.synchronize()
"""


def has_torch_cuda() -> bool:
    probe = "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--interval", type=float, default=0.5)
    args = ap.parse_args()

    probe = open_gpus()
    if probe is None:
        print("NVML: not available (pynvml missing or nvmlInit failed): no GPU metrics")
        return 1
    print(f"NVML: {len(probe.handles)} GPU(s)")
    probe.close()

    torch_cuda = has_torch_cuda()
    if torch_cuda:
        child = subprocess.Popen([sys.executable, "-c", GPU_CHILD, str(args.seconds + 2)],
                                 stdout=subprocess.PIPE, text=True)
        line = child.stdout.readline().strip()  # wait until the memory is really allocated
        print(f"child {child.pid}: torch {line or 'failed to allocate'}")
    else:
        child = subprocess.Popen(["sleep", str(args.seconds + 2)])
        print(f"child {child.pid}: sleeping (no torch with CUDA here)")

    run_dir = Path(tempfile.mkdtemp(prefix="gpu_check-"))
    ctx = CollectorContext(run_dir=run_dir, start_time=time.time(), cwd=run_dir,
                           store_root=run_dir, child_pid=child.pid)
    sampler = SystemSampler(ctx, args.interval)
    sampler.start()
    time.sleep(args.seconds)
    sampler.stop()
    child.kill()
    child.wait()

    records = list(read_records(stream_path(run_dir, "system")))
    for record in records:
        print(json.dumps(record))
    print(f"problems: {sampler.problems()}")

    failures = []
    gpu_keys = sorted({k for r in records for k in r if k.startswith("system/gpu/")})
    print("GPU keys:", *gpu_keys, sep="\n  ")
    if not records:
        failures.append("no records")
    for name in ("utilization (%)", "memory used (MiB)", "temperature (C)", "process memory (MiB)"):
        if f"system/gpu/0/{name}" not in gpu_keys:
            failures.append(f"missing system/gpu/0/{name}")
    if torch_cuda:
        peak = max((r.get("system/gpu/0/process memory (MiB)", 0) for r in records), default=0)
        busy = max((r.get("system/gpu/0/utilization (%)", 0) for r in records), default=0)
        print(f"child's GPU memory peak {peak} MiB, GPU 0 utilization peak {busy}%")
        if peak < 1024:
            failures.append(f"process memory {peak} MiB < the 1024 MiB the child holds "
                            "(NVML pids from another pid namespace?)")
        if busy <= 0:
            failures.append("GPU 0 utilization stayed 0 while the child multiplied matrices")
    print("FAILED: " + "; ".join(failures) if failures else "OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
