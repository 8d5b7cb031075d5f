"""wandb transaction logs (`run-<id>.wandb`) as a source, in four layers: framing.py (the log's
block framing of a growing file) -> decoding.py (Record protos to records) -> reader.py (one log
into a run directory) -> collector.py (the live collector); importer.py is `runwrap import-wandb`'s
work on folders already on disk. The tensorboard package beside this one has the same shape."""
