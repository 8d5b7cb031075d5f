"""Real training programs run live under the real `runwrap` (on pipes and on a terminal), their
console records compared with the values the programs themselves hold: scikit-learn's MLP and
SGD with `train accuracy: 1.0000`-style prints, skorch's coloured epoch table, and nanoGPT's
train.py on a character data set at tiny size.

    PYTHON=/path/to/python-with-torch-and-skorch python tests/corpus/live.py [--nanogpt DIR]
        [NAME ...]

PYTHON runs the programs (it needs the libraries; runwrap itself runs from this checkout);
--nanogpt names a checkout of karpathy/nanoGPT whose data/shakespeare_char/ has input.txt.
Prints one line per program and mode: wanted values found, lost, wrong, junk keys.
tests/test_scalars_live.py runs the scikit-learn programs with the test suite's Python.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))

from corpus_cases import judge  # noqa: E402
from wrapper_harness import Terminal  # noqa: E402

from runwrap.store.streams import read_records  # noqa: E402

Triple = Tuple[str, Optional[int], float]

# Each program prints, then writes what it holds (its own API's values) as the case format of
# tests/corpus/handwritten/_case.py to $EXPECT: {"either": [...], "records": [...]}.
SKLEARN = r'''
import json, os
import warnings
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
warnings.simplefilter("ignore", ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X = X / 16.0
Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=0)
records = []
mlp = MLPClassifier(hidden_layer_sizes=(32,), max_iter=8, verbose=True, random_state=0)
mlp.fit(Xtr, ytr)
records += [{"step": i + 1, "values": {"loss": float(f"{v:.8f}")}}
            for i, v in enumerate(mlp.loss_curve_)]
train_acc, test_acc = mlp.score(Xtr, ytr), mlp.score(Xte, yte)
print(f"train accuracy: {train_acc:.4f}")
print(f"Test accuracy: {test_acc:.4f}")
records += [{"step": None, "values": {"train/accuracy": float(f"{train_acc:.4f}")}},
            {"step": None, "values": {"test/accuracy": float(f"{test_acc:.4f}")}}]
sgd = SGDClassifier(max_iter=3, tol=None, verbose=1, random_state=0)
sgd.fit(Xtr, ytr)
acc = sgd.score(Xte, yte)
print("Validation acc: %.4f" % acc)
records.append({"step": None, "values": {"val/acc": float("%.4f" % acc)}})
json.dump({"source": {"repo": "scikit-learn/scikit-learn", "path": "live", "commit": "live"},
           "either": ["iteration", "epoch", "norm", "nnzs", "bias", "t", "avg_loss",
                      "objective"],
           "records": records}, open(os.environ["EXPECT"], "w"))
'''

SKORCH = r'''
import json, os
import numpy as np, torch
from sklearn.datasets import make_classification
from skorch import NeuralNetClassifier
from skorch.callbacks import Checkpoint
torch.manual_seed(0)
X, y = make_classification(600, 20, n_informative=10, random_state=0)
X, y = X.astype(np.float32), y.astype(np.int64)
class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(20, 16), torch.nn.ReLU(),
                                       torch.nn.Linear(16, 2))
    def forward(self, x):
        return self.net(x)
net = NeuralNetClassifier(MLP, criterion=torch.nn.CrossEntropyLoss, max_epochs=8, lr=0.1,
                          iterator_train__shuffle=True,
                          callbacks=[Checkpoint(dirname=os.environ["CKPT"])])
net.fit(X, y)
records = [{"step": row["epoch"], "values": {
    "train_loss": float(f"{row['train_loss']:.4f}"),
    "valid_loss": float(f"{row['valid_loss']:.4f}"),
    "valid_acc": float(f"{row['valid_acc']:.4f}")}} for row in net.history]
json.dump({"source": {"repo": "skorch-dev/skorch", "path": "live", "commit": "live"},
           "either": ["epoch", "dur"], "records": records}, open(os.environ["EXPECT"], "w"))
'''

# nanoGPT keeps its losses to itself (wandb only): its own print formats, applied to what it
# printed, are the values it held (at the printed precision).
NANOGPT_EVAL = re.compile(r"step (\d+): train loss ([\d.]+), val loss ([\d.]+)")
NANOGPT_ITER = re.compile(r"iter (\d+): loss ([\d.]+), time [\d.]+ms, mfu (-?[\d.]+)%")
NANOGPT_ARGS = ["config/train_shakespeare_char.py", "--device=cpu", "--compile=False",
                "--eval_iters=5", "--eval_interval=10", "--log_interval=1", "--block_size=32",
                "--batch_size=8", "--n_layer=2", "--n_head=2", "--n_embd=32", "--max_iters=30",
                "--lr_decay_iters=30", "--dropout=0.0"]


def nanogpt_expectation(console: str) -> dict:
    records = []
    for m in NANOGPT_EVAL.finditer(console):
        step = int(m.group(1))
        records.append({"step": step, "values": {"train/loss": float(m.group(2)),
                                                 "val/loss": float(m.group(3))}})
    for m in NANOGPT_ITER.finditer(console):
        records.append({"step": int(m.group(1)), "values": {"loss": float(m.group(2))}})
    return {"source": {"repo": "karpathy/nanoGPT", "path": "train.py", "commit": "live"},
            "either": ["step", "iter", "mfu"], "records": records}


def _env(python_dir: str) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    return env


def run_live(python: str, program: List[str], cwd: Path, mode: str,
             extra_env: Dict[str, str]) -> Tuple[List[Triple], str]:
    """`runwrap PYTHON PROGRAM...` for real: the stdout records and the console as logged."""
    store = Path(tempfile.mkdtemp(prefix="live-store-"))
    env = _env(python)
    env.update(extra_env)
    args = ["--dir", str(store), "--stats-interval", "0", "--no-tensorboard-discovery", python,
            *program]
    if mode == "pipe":
        done = subprocess.run([sys.executable, "-m", "runwrap", *args], cwd=cwd, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=900)
        if done.returncode:
            raise RuntimeError(done.stderr.decode(errors="replace")[-2000:])
    else:
        term = Terminal(args, cwd=cwd, rows=40, cols=120, env=env)
        try:
            if term.wait(900) != 0:
                raise RuntimeError(term.output[-2000:].decode(errors="replace"))
        finally:
            term.close()
    (run,) = [p.parent for p in store.glob("*/*/run.json")]
    got = [(k, r.get("_step"), float(v)) for r in read_records(run / "streams" / "stdout.jsonl")
           for k, v in r.items() if not k.startswith("_")]
    return got, (run / "output.log").read_text(errors="replace")


def check(name: str, python: str, mode: str, nanogpt: Optional[Path]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        expect = Path(tmp) / "expect.json"
        extra = {"EXPECT": str(expect), "CKPT": str(Path(tmp) / "ckpt")}
        if name == "nanogpt":
            if nanogpt is None:
                return f"{name:8s} {mode:4s} not run: give --nanogpt DIR"
            got, console = run_live(python, ["train.py", *NANOGPT_ARGS], nanogpt, mode, extra)
            expectation = nanogpt_expectation(console)
        else:
            source = Path(tmp) / f"{name}_live.py"
            source.write_text(SKLEARN if name == "sklearn" else SKORCH)
            got, _ = run_live(python, [str(source)], Path(tmp), mode, extra)
            expectation = json.loads(expect.read_text())
    verdict = judge(expectation, got)
    state = "right" if verdict.right else "WRONG"
    return f"{name:8s} {mode:4s} {state}: {verdict.describe()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*", default=["sklearn", "skorch", "nanogpt"])
    ap.add_argument("--nanogpt", type=Path, help="a nanoGPT checkout with prepared data")
    args = ap.parse_args()
    python = os.environ.get("PYTHON", sys.executable)
    for name in args.names:
        for mode in ("pipe", "pty"):
            print(check(name, python, mode, args.nanogpt), flush=True)


if __name__ == "__main__":
    main()
