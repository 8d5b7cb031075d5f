"""Shared by the corpus scripts: where a script writes the records it expects the console
grammar to find, taken from the library's own API (never from what runwrap prints)."""
import json
import os
import random


def save(records):
    """records: list of (step or None, {name: value}) in print order."""
    out = [{"step": step, "values": {k: float(v) for k, v in values.items()}}
           for step, values in records]
    with open(os.environ["CORPUS_EXPECT"], "w") as f:
        json.dump(out, f, indent=1)


def data(n=64, features=4, seed=0):
    """A tiny regression/classification set: (X, y_reg, y_cls) as lists."""
    rnd = random.Random(seed)
    X = [[rnd.gauss(0, 1) for _ in range(features)] for _ in range(n)]
    y = [sum(x) + rnd.gauss(0, 0.3) for x in X]
    c = [1 if v > 0 else 0 for v in y]
    return X, y, c
