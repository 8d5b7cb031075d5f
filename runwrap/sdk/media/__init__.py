"""wandb's data types: values log() stores as files under the run directory (store/media.py)
plus one reference record in the stream.

`base` (what every type shares and how log() stores them), `image`, `table`, `histogram`,
`plot` (wandb.plot's charts: a table and a spec), `files` (the one-file types: Audio, Video,
Html, Object3D, Molecule). Each imports its heavy library (numpy, Pillow, ...) only when a value
is made, so `import runwrap` stays cheap.
"""
