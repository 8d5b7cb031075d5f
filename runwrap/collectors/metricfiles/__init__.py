"""Metrics files the program writes itself (JSONL, CSV, key=value): tail.py follows a growing
file, collector.py turns its lines into records."""
