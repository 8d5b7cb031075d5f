"""Collectors turn one source each into metric records in the run directory.

Each collector writes its own stream (`store.streams.StreamWriter`) and implements the small
interface of `base.Collector`: `start()`, `stop()` (final read, flush, idempotent) and
`problems()` (counts of skipped items, recorded in run.json). A collector never raises into its
caller and never slows the child: bad input is skipped, counted, and warned about once.

One folder per source: console/ (stdout and stderr: the scalar grammar, tables), metricfiles/,
tensorboard/ and wandb/ (the same stack in each: framing.py -> decoding.py -> reader.py ->
collector.py), system/ (CPU, memory, GPUs). Shared here: base.py (the interface),
dirwatch.py and watching.py (folder watching), protowire.py (the protobuf wire format both
TensorBoard and wandb logs use), gitstate.py (the working tree's git state).
"""
