"""TensorBoard event files as a source, in four layers: framing.py (TFRecord framing of a growing
file) -> decoding.py (Event protos to scalars) -> reader.py (one file to stream records) ->
collector.py (the live collector); files.py says which files a run reads and what their metrics
are called. The wandb package beside this one has the same shape."""
