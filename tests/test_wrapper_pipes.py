"""On pipes (cron, CI, `| tee`) bytes pass through unchanged and stdout/stderr stay apart."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from wrapper_harness import RUNWRAP, only_run, runwrap

PY = sys.executable


def test_stdout_and_stderr_are_kept_apart(store):
    done = runwrap("--quiet", PY, "-c",
                   "import sys\nfor i in range(100):\n"
                   "    print('out', i); print('err', i, file=sys.stderr)")
    assert done.stdout.decode().splitlines() == [f"out {i}" for i in range(100)]
    assert done.stderr.decode().splitlines() == [f"err {i}" for i in range(100)]


def test_random_binary_output_passes_byte_exact(store, tmp_path):
    blob = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "blob.bin"
    src.write_bytes(blob)
    done = runwrap("--quiet", PY, "-c",
                   f"import sys; sys.stdout.buffer.write(open({str(src)!r}, 'rb').read())")
    assert done.returncode == 0
    assert hashlib.sha256(done.stdout).hexdigest() == hashlib.sha256(blob).hexdigest()


def test_last_line_without_newline_and_invalid_utf8(store):
    done = runwrap("--quiet", PY, "-c",
                   "import sys; sys.stdout.buffer.write(b'ok\\n\\xff\\xfe bad \\xe2\\x82\\xac end')")
    assert done.stdout == b"ok\n\xff\xfe bad \xe2\x82\xac end"
    log = (only_run(store) / "output.log").read_text(encoding="utf-8")
    assert log == "ok\n\ufffd\ufffd bad \u20ac end\n"


def test_ten_megabyte_line_passes_and_memory_stays_flat(store):
    done = runwrap("--quiet", PY, "-c",
                   "import sys; sys.stdout.write('x' * (10 * 1024 * 1024) + '\\n')")
    assert done.returncode == 0
    assert done.stdout == b"x" * (10 * 1024 * 1024) + b"\n"
    log = (only_run(store) / "output.log").read_bytes()
    assert log.replace(b"\n", b"") == b"x" * (10 * 1024 * 1024)


def test_carriage_return_frames_pass_unchanged_but_log_keeps_the_final_state(store):
    done = runwrap("--quiet", PY, "-c",
                   "import sys\nfor i in range(5): sys.stdout.write(f'\\rstep {i}/4')\n"
                   "sys.stdout.write('\\n')")
    assert done.stdout == b"".join(f"\rstep {i}/4".encode() for i in range(5)) + b"\n"
    assert (only_run(store) / "output.log").read_text() == "step 4/4\n"


def test_python_child_is_unbuffered_in_pipe_mode(store):
    done = runwrap("--quiet", PY, "-c", "import os; print(os.environ.get('PYTHONUNBUFFERED'))")
    assert done.stdout == b"1\n"
    env = dict(os.environ, PYTHONUNBUFFERED="")
    done = runwrap("--quiet", PY, "-c", "import os; print(repr(os.environ.get('PYTHONUNBUFFERED')))",
                   env=env)
    assert done.stdout == b"''\n"  # the user's choice is kept


def test_stdin_is_inherited_in_pipe_mode(store):
    done = runwrap("--quiet", PY, "-c", "import sys; print(sys.stdin.read().upper())",
                   input=b"hello from stdin")
    assert done.stdout == b"HELLO FROM STDIN\n"


def test_cwd_and_environment_are_inherited(store, tmp_path):
    env = dict(os.environ, MY_SETTING="kept")
    done = runwrap("--quiet", PY, "-c", "import os; print(os.getcwd()); print(os.environ['MY_SETTING'])",
                   cwd=tmp_path, env=env)
    assert done.stdout.decode().splitlines() == [str(tmp_path), "kept"]


def test_closed_reader_gives_the_child_sigpipe_as_without_runwrap(store):
    """`runwrap yes | head -1` ends like `yes | head -1` instead of running forever."""
    cmd = " ".join(RUNWRAP) + " --quiet --no-pty yes | head -1"
    done = subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, timeout=30)
    assert done.stdout == b"y\n"


def test_child_env_names_the_run(store):
    code = ("import os\nfor k in ['RUNWRAP_RUN_ID','RUNWRAP_RUN_DIR','RUNWRAP_PROJECT',"
            "'RUNWRAP_NAME','RUNWRAP_TAGS','RUNWRAP_GROUP','RUNWRAP_JOB_TYPE','RUNWRAP_NOTES',"
            "'RUNWRAP_MODE','RUNWRAP_CONFIG_FILE','RUNWRAP_ENTITY']:\n"
            "    print(k, os.environ.get(k))\n")
    done = runwrap("--quiet", "--project", "p1", "--name", "n1", "--tags", "a,b", "--group", "g",
                   "--job-type", "train", "--notes", "hello", "--entity", "team", "--id", "abc123",
                   PY, "-c", code)
    seen = dict(line.split(" ", 1) for line in done.stdout.decode().splitlines())
    run_dir = only_run(store)
    assert seen == {
        "RUNWRAP_RUN_ID": "abc123", "RUNWRAP_RUN_DIR": str(run_dir), "RUNWRAP_PROJECT": "p1",
        "RUNWRAP_NAME": "n1", "RUNWRAP_TAGS": "a,b", "RUNWRAP_GROUP": "g",
        "RUNWRAP_JOB_TYPE": "train", "RUNWRAP_NOTES": "hello", "RUNWRAP_MODE": "offline",
        "RUNWRAP_CONFIG_FILE": str(run_dir / "config.yaml"), "RUNWRAP_ENTITY": "team"}
