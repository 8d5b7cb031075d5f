"""What init() sets up beyond logging: setup.py (save_code, sync_tensorboard, monitor_gym) and
hooks.py (run code right after a module is imported, without importing it)."""
