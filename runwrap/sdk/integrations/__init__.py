"""What init() sets up beyond logging, one module per argument: save_code.py, sync_tensorboard.py,
monitor_gym.py; hooks.py runs code right after a module is imported, without importing it."""
