"""The machine as a source: sampler.py samples CPU, memory and the process tree with psutil;
gpu.py reads GPUs through NVML for it."""
