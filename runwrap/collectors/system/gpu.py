"""GPUs through NVML (the `nvidia-ml-py` package, module `pynvml`), read by the system sampler.

Optional in every sense: without the package, or when `nvmlInit` fails (no driver, no GPU), there
are no GPU metrics and no warning, since most machines that run runwrap simply have no NVIDIA GPU.
A reading that a device does not support (power on some boards, processes under MIG) is dropped
for that device, silently; any other NVML error warns once and is counted.

Metric names (`{index}` is NVML's device index):

    system/gpu/{index}/utilization (%)      share of time a kernel was running (NVML's window)
    system/gpu/{index}/memory used (MiB)    device memory in use, by everybody
    system/gpu/{index}/memory usage (%)     the same as a share of the device's memory
    system/gpu/{index}/temperature (C)      core temperature
    system/gpu/{index}/power (W)            board power draw
    system/gpu/{index}/process memory (MiB) device memory used by the wrapped program's process
                                            tree (NVML's compute and graphics process lists;
                                            inside a container NVML may report host pids, which
                                            then match nothing and read 0)
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

GPU_UTILIZATION = "system/gpu/{index}/utilization (%)"
GPU_MEMORY_USED = "system/gpu/{index}/memory used (MiB)"
GPU_MEMORY_PERCENT = "system/gpu/{index}/memory usage (%)"
GPU_TEMPERATURE = "system/gpu/{index}/temperature (C)"
GPU_POWER = "system/gpu/{index}/power (W)"
GPU_PROCESS_MEMORY = "system/gpu/{index}/process memory (MiB)"

MIB = 1024 * 1024
_NOT_SUPPORTED = 3  # NVML_ERROR_NOT_SUPPORTED, for a library object that lacks the constant


def open_gpus(nvml: Any = None) -> Optional["GpuSampler"]:
    """A sampler over every GPU NVML sees, or None when there is no usable NVML.

    `nvml` is the library object (the `pynvml` module); None imports it if it is installed.
    Tests pass a stand-in object here for what no machine of theirs has."""
    if nvml is None:
        try:
            import pynvml as nvml  # type: ignore[no-redef]  # optional extra (gpu)
        except Exception:  # not installed (or broken): no GPU metrics, by design no warning
            return None
    try:
        nvml.nvmlInit()
    except Exception:  # no driver / no device: the normal case on a CPU machine
        return None
    try:
        handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(nvml.nvmlDeviceGetCount())]
    except Exception:
        handles = []
    if not handles:
        _shutdown(nvml)
        return None
    return GpuSampler(nvml, handles)


def _shutdown(nvml: Any) -> None:
    try:
        nvml.nvmlShutdown()
    except Exception:
        pass


class GpuSampler:
    """Reads every device's figures on demand; keeps the device handles between samples."""

    def __init__(self, nvml: Any, handles: List[Any]):
        self.nvml = nvml
        self.handles = handles
        self._unsupported: Set[Tuple[int, str]] = set()  # (device, reading) NVML refused
        self.errors: Dict[str, str] = {}  # reading -> last error text (for warn-once by caller)
        self.not_supported = getattr(nvml, "NVML_ERROR_NOT_SUPPORTED", _NOT_SUPPORTED)

    def sample(self, tree_pids: Optional[Iterable[int]] = None) -> Dict[str, float]:
        """The current figures of every device. `tree_pids` are the wrapped program's processes
        (None: no program to attribute memory to, so no process-memory keys)."""
        self.errors = {}
        pids = set(tree_pids) if tree_pids is not None else None
        out: Dict[str, float] = {}
        for index, handle in enumerate(self.handles):
            for reading, fn in self._readings(handle, pids):
                if (index, reading) in self._unsupported:
                    continue
                try:
                    values = fn()
                except Exception as e:
                    if getattr(e, "value", None) == self.not_supported:
                        self._unsupported.add((index, reading))
                    else:
                        self.errors[reading] = str(e) or type(e).__name__
                    continue
                for name, value in values:
                    out[name.format(index=index)] = value
        return out

    def _readings(self, handle: Any, pids: Optional[Set[int]]
                  ) -> List[Tuple[str, Callable[[], List[Tuple[str, float]]]]]:
        nvml = self.nvml

        def utilization() -> List[Tuple[str, float]]:
            return [(GPU_UTILIZATION, float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu))]

        def memory() -> List[Tuple[str, float]]:
            info = nvml.nvmlDeviceGetMemoryInfo(handle)
            pairs = [(GPU_MEMORY_USED, round(info.used / MIB, 3))]
            if info.total:
                pairs.append((GPU_MEMORY_PERCENT, round(100.0 * info.used / info.total, 2)))
            return pairs

        def temperature() -> List[Tuple[str, float]]:
            sensor = getattr(nvml, "NVML_TEMPERATURE_GPU", 0)
            return [(GPU_TEMPERATURE, float(nvml.nvmlDeviceGetTemperature(handle, sensor)))]

        def power() -> List[Tuple[str, float]]:
            milliwatts = nvml.nvmlDeviceGetPowerUsage(handle)
            return [(GPU_POWER, round(milliwatts / 1000.0, 3))]

        def process_memory() -> List[Tuple[str, float]]:
            used: Dict[int, int] = {}
            for fname in ("nvmlDeviceGetComputeRunningProcesses",
                          "nvmlDeviceGetGraphicsRunningProcesses"):
                fn = getattr(nvml, fname, None)
                if fn is None:
                    continue
                for proc in fn(handle):
                    # usedGpuMemory is None where NVML cannot tell (Windows WDDM, some MIG).
                    used.setdefault(proc.pid, proc.usedGpuMemory or 0)
            total = sum(mem for pid, mem in used.items() if pids is not None and pid in pids)
            return [(GPU_PROCESS_MEMORY, round(total / MIB, 3))]

        readings = [("utilization", utilization), ("memory", memory),
                    ("temperature", temperature), ("power", power)]
        if pids is not None:
            readings.append(("process memory", process_memory))
        return readings

    def close(self) -> None:
        _shutdown(self.nvml)
