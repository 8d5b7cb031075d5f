"""GPU metrics through NVML. No machine the suite runs on has an NVIDIA GPU, so the library is a
stand-in object with pynvml's names, passed in as a parameter; the processes are real."""
from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace
from typing import Any, Dict, List

from runwrap.collectors.system import gpu
from runwrap.collectors.system import sampler as system
from runwrap.collectors.base import CollectorContext
from runwrap.collectors.system.gpu import open_gpus
from runwrap.collectors.system.sampler import SystemSampler
from runwrap.store.streams import read_records, stream_path

MIB = 1024 * 1024


class FakeNVMLError(Exception):
    def __init__(self, value: int):
        super().__init__(f"NVML error {value}")
        self.value = value


class FakeNVML:
    """pynvml's surface for two GPUs; GPU 1 has no power sensor (NOT_SUPPORTED, as on some
    boards). `processes[i]` lists (pid, bytes) running on GPU i."""

    NVML_ERROR_NOT_SUPPORTED = 3
    NVML_ERROR_GPU_IS_LOST = 15
    NVML_TEMPERATURE_GPU = 0
    NVMLError = FakeNVMLError

    def __init__(self, processes: Dict[int, List[tuple]] = None, init_error: Exception = None):
        self.processes = processes or {0: [], 1: []}
        self.init_error = init_error
        self.initialised = False
        self.shutdowns = 0
        self.power_calls = {0: 0, 1: 0}
        self.lost = False

    def nvmlInit(self) -> None:
        if self.init_error is not None:
            raise self.init_error
        self.initialised = True

    def nvmlShutdown(self) -> None:
        self.shutdowns += 1

    def nvmlDeviceGetCount(self) -> int:
        return 2

    def nvmlDeviceGetHandleByIndex(self, i: int) -> Any:
        return ("handle", i)

    def nvmlDeviceGetUtilizationRates(self, h: Any) -> Any:
        if self.lost:
            raise FakeNVMLError(self.NVML_ERROR_GPU_IS_LOST)
        return SimpleNamespace(gpu=[87, 3][h[1]], memory=40)

    def nvmlDeviceGetMemoryInfo(self, h: Any) -> Any:
        return SimpleNamespace(used=[2048, 512][h[1]] * MIB, total=8192 * MIB,
                               free=(8192 - [2048, 512][h[1]]) * MIB)

    def nvmlDeviceGetTemperature(self, h: Any, sensor: int) -> int:
        assert sensor == self.NVML_TEMPERATURE_GPU
        return [61, 35][h[1]]

    def nvmlDeviceGetPowerUsage(self, h: Any) -> int:
        self.power_calls[h[1]] += 1
        if h[1] == 1:
            raise FakeNVMLError(self.NVML_ERROR_NOT_SUPPORTED)
        return 215500  # milliwatts

    def nvmlDeviceGetComputeRunningProcesses(self, h: Any) -> List[Any]:
        return [SimpleNamespace(pid=pid, usedGpuMemory=used) for pid, used in self.processes[h[1]]]

    def nvmlDeviceGetGraphicsRunningProcesses(self, h: Any) -> List[Any]:
        return []


def test_each_gpu_reports_utilization_memory_temperature_and_power():
    fake = FakeNVML()
    sampler = open_gpus(fake)
    assert sampler is not None and fake.initialised
    values = sampler.sample([12345])
    assert values["system/gpu/0/utilization (%)"] == 87
    assert values["system/gpu/1/utilization (%)"] == 3
    assert values["system/gpu/0/memory used (MiB)"] == 2048
    assert values["system/gpu/0/memory usage (%)"] == 25
    assert values["system/gpu/1/temperature (C)"] == 35
    assert values["system/gpu/0/power (W)"] == 215.5
    assert gpu.GPU_POWER.format(index=0) == "system/gpu/0/power (W)"
    sampler.close()
    assert fake.shutdowns == 1


def test_a_reading_the_device_does_not_support_is_dropped_quietly_and_not_asked_again(capfd):
    fake = FakeNVML()
    sampler = open_gpus(fake)
    for _ in range(3):
        values = sampler.sample(None)
        assert "system/gpu/1/power (W)" not in values
        assert sampler.errors == {}
    assert fake.power_calls == {0: 3, 1: 1}
    assert capfd.readouterr().err == ""


def test_memory_of_the_programs_processes_counts_only_pids_of_its_tree():
    fake = FakeNVML({0: [(100, 1000 * MIB), (200, 24 * MIB), (999, 4000 * MIB)],
                     1: [(999, 300 * MIB), (100, None)]})
    values = open_gpus(fake).sample([100, 200, 300])
    assert values["system/gpu/0/process memory (MiB)"] == 1024
    assert values["system/gpu/1/process memory (MiB)"] == 0  # NVML could not tell: 0
    assert "system/gpu/0/process memory (MiB)" not in open_gpus(fake).sample(None)


def test_no_nvml_library_means_no_gpu_and_no_warning(monkeypatch, capfd):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # what `import pynvml` sees when absent
    assert open_gpus() is None
    assert capfd.readouterr().err == ""


def test_nvml_without_a_driver_means_no_gpu_and_no_warning(capfd):
    fake = FakeNVML(init_error=FakeNVMLError(9))  # NVML_ERROR_DRIVER_NOT_LOADED
    assert open_gpus(fake) is None
    assert capfd.readouterr().err == ""


def test_sampler_writes_gpu_keys_with_the_child_tree_memory(tmp_path):
    child = subprocess.Popen(["sleep", "5"])
    fake = FakeNVML({0: [(child.pid, 512 * MIB), (1, 64 * MIB)], 1: []})
    ctx = CollectorContext(run_dir=tmp_path / "run", start_time=time.time(), cwd=tmp_path,
                           store_root=tmp_path, child_pid=child.pid)
    sampler = SystemSampler(ctx, interval=0.1, nvml=fake)
    try:
        sampler.start()
        time.sleep(0.35)
        sampler.stop()
    finally:
        child.kill()
        child.wait()
    recs = list(read_records(stream_path(tmp_path / "run", "system")))
    assert len(recs) >= 2
    for rec in recs:
        assert rec["system/gpu/0/process memory (MiB)"] == 512
        assert rec["system/gpu/1/process memory (MiB)"] == 0
        assert rec["system/gpu/0/utilization (%)"] == 87
        assert rec[system.PROCESS_COUNT] == 1
    assert fake.shutdowns == 1


def test_a_gpu_that_fails_mid_run_warns_once_counts_and_sampling_goes_on(tmp_path, capfd):
    fake = FakeNVML()
    ctx = CollectorContext(run_dir=tmp_path / "run", start_time=time.time(), cwd=tmp_path,
                           store_root=tmp_path)
    sampler = SystemSampler(ctx, interval=0.1, nvml=fake)
    sampler.start()
    time.sleep(0.15)
    fake.lost = True
    time.sleep(0.35)
    sampler.stop()
    recs = list(read_records(stream_path(tmp_path / "run", "system")))
    assert len(recs) >= 4
    assert "system/gpu/0/utilization (%)" not in recs[-1]
    assert recs[-1]["system/gpu/0/temperature (C)"] == 61  # the other readings still work
    assert sampler.problems()["gpu_error"] >= 1
    err = capfd.readouterr().err
    assert err.count("GPU utilization") == 1


def test_gpu_metric_names_are_under_system():
    for name in (gpu.GPU_UTILIZATION, gpu.GPU_MEMORY_USED, gpu.GPU_MEMORY_PERCENT,
                 gpu.GPU_TEMPERATURE, gpu.GPU_POWER, gpu.GPU_PROCESS_MEMORY):
        assert name.startswith("system/gpu/{index}/")
