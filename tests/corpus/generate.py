"""Regenerates the console corpus: every script in scripts/ run for real, at tiny size, in
pipe mode (stdout and stderr apart, as cron or CI see them) and on a pseudo-terminal of
120x40 (as a person at a terminal sees it), the raw bytes saved, and beside them the records
the script says the console grammar must find, taken from the library's own API.

    /path/to/venv-with-the-libraries/bin/python tests/corpus/generate.py [NAME ...]

Writes tests/corpus/<name>/{pipe.stdout, pipe.stderr, pty.out, expected-pipe.json,
expected-pty.json} (each mode is its own run, so values such as run times differ) and
versions.json. The tests read only these files: CI needs none of the libraries.
"""
from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
# The transcript, and the distributions whose output it shows (versions recorded).
CORPUS = {
    "sklearn_mlp": ["scikit-learn"],
    "xgboost_train": ["xgboost"],
    "lightgbm_train": ["lightgbm"],
    "catboost_train": ["catboost"],
    "keras_fit": ["keras", "torch"],
    "keras_verbose2": ["keras", "torch"],
    "lightning_fit": ["lightning", "torch", "tqdm"],
    "lightning_rich": ["lightning", "torch", "rich"],
    "hf_trainer": ["transformers", "torch", "accelerate"],
    "sentence_transformers_fit": ["sentence-transformers", "transformers", "torch"],
    "torch_summarywriter": ["torch", "tensorboard"],
    "ignite_train": ["pytorch-ignite", "torch"],
    "accelerate_loop": ["accelerate", "torch"],
    "flax_optax": ["flax", "jax", "optax"],
    "logging_tqdm": ["tqdm"],
    "rich_progress": ["rich"],
    "click_progress": ["click"],
    "sb3_ppo": ["stable-baselines3", "gymnasium", "torch"],
    "fastai_tabular": ["fastai", "fastprogress", "torch"],
    "spacy_train": ["spacy", "thinc"],
}
TIMEOUT = 600


def env_for(expect: Path) -> dict:
    env = dict(os.environ, CORPUS_EXPECT=str(expect), PYTHONPATH=str(SCRIPTS),
               PYTHONHASHSEED="0", TERM="xterm-256color", COLUMNS="120", LINES="40")
    env.pop("NO_COLOR", None)
    return env


def run_pipe(script: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as cwd:
        env = env_for(out / "expected-pipe.json")
        env["PYTHONUNBUFFERED"] = "1"  # as runwrap sets it for a child on pipes
        done = subprocess.run([sys.executable, str(script)], cwd=cwd, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    (out / "pipe.stdout").write_bytes(done.stdout)
    (out / "pipe.stderr").write_bytes(done.stderr)
    if done.returncode:
        raise RuntimeError(f"{script.name} (pipe) exited {done.returncode}:\n"
                           + done.stderr.decode(errors="replace")[-2000:])


def run_pty(script: Path, out: Path) -> None:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    with tempfile.TemporaryDirectory() as cwd:
        child = subprocess.Popen([sys.executable, str(script)], cwd=cwd,
                                 env=env_for(out / "expected-pty.json"), stdin=slave,
                                 stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: the child's side is closed
                break
            if not data:
                break
            chunks.append(data)
        code = child.wait(TIMEOUT)
    os.close(master)
    (out / "pty.out").write_bytes(b"".join(chunks))
    if code:
        raise RuntimeError(f"{script.name} (pty) exited {code}:\n"
                           + b"".join(chunks).decode(errors="replace")[-2000:])


def main(names: list) -> None:
    versions_path = HERE / "versions.json"
    versions = json.loads(versions_path.read_text()) if versions_path.exists() else {}
    for name in names or list(CORPUS):
        out = HERE / name
        out.mkdir(exist_ok=True)
        script = SCRIPTS / f"{name}.py"
        print(f"{name}: pipe", flush=True)
        run_pipe(script, out)
        print(f"{name}: pty", flush=True)
        run_pty(script, out)
        versions[name] = {d: metadata.version(d) for d in CORPUS[name]}
        versions["python"] = sys.version.split()[0]
        versions_path.write_text(json.dumps(versions, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
