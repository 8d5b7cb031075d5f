"""Metrics files the program writes itself (JSON Lines, CSV): tail.py follows a growing
file, formats.py reads its lines, collector.py turns them into records."""
