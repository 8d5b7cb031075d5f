"""wandb's data types: values log() stores as files under the run directory (store/media.py)
plus one reference record in the stream.

Each type lives in its own module and imports its heavy library (numpy, Pillow, ...) only when a
value is made, so `import runwrap` stays cheap.
"""
