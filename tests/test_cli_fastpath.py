"""The wrapping form's click-free fast path parses exactly as the click command does, and
`runwrap COMMAND` never imports click."""
from __future__ import annotations

import subprocess
import sys

import pytest

from runwrap.cli.argv import split_args
from runwrap.cli.run import run as run_command
from runwrap.cli.run_options import NotFast, fill_from_environment, option_arity, parse_fast

ARGVS = [
    ["python", "train.py"],
    ["--project", "p", "--tags", "a,b", "--tags", "c", "python", "t.py", "--lr", "1"],
    ["--mode=offline", "--stats-interval", "0.5", "--no-pty", "--", "python", "t.py"],
    ["--pty", "--no-tensorboard-discovery", "--quiet", "python", "t.py", "--project", "x"],
    ["python", "t.py", "--config", "lr=0.1", "--config=a.b=2", "--sync-timeout=3"],
    ["--resume", "allow", "--id", "abc", "--dir", "/tmp/x", "true"],
    ["--metrics-file", "m.jsonl", "--tensorboard", "logs", "--scalars", "x:=(?P<value>\\d+)",
     "--no-scalars", "python", "t.py", "-v", "--unknown", "--", "--name", "n"],
    ["--entity", "team", "--group", "g", "--job-type", "train", "--notes", "hi", "--name", "n",
     "--tracking-uri", "http://127.0.0.1:1", "true"],
]


def click_parse(args, env):
    ctx = run_command.make_context("run", list(args), obj=None)
    values = dict(ctx.params)
    sources = {}
    for name in values:
        source = ctx.get_parameter_source(name)
        sources[name] = {"COMMANDLINE": "flag", "ENVIRONMENT": "environment"}.get(
            source.name if source else "", "default")
    fill_from_environment(values, sources, env)  # what the click command's callback does
    return values, sources, ctx.meta["runwrap.command"], ctx.meta["runwrap.taken"]


def fast_parse(args, env):
    split = split_args(list(args), option_arity())
    values, sources = parse_fast(split.own, env)
    return values, sources, split.command, split.taken


@pytest.mark.parametrize("args", ARGVS)
@pytest.mark.parametrize("env", [{}, {"RUNWRAP_PROJECT": "envp", "RUNWRAP_MODE": "disabled",
                                      "RUNWRAP_DIR": "/tmp/e"}])
def test_fast_path_parses_like_click(monkeypatch, args, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    clicked = click_parse(args, env)
    fast = fast_parse(args, env)
    values_c, sources_c, command_c, taken_c = clicked
    values_f, sources_f, command_f, taken_f = fast
    assert {k: (list(v) if isinstance(v, tuple) else v) for k, v in values_f.items()} == \
        {k: (list(v) if isinstance(v, tuple) else v) for k, v in values_c.items()}
    assert sources_f == sources_c
    assert (command_f, taken_f) == (command_c, taken_c)


@pytest.mark.parametrize("own", [["--mode", "fast"], ["--stats-interval", "x"], ["--help"],
                                 ["-h"], ["--bogus"], ["--quiet=1"], ["--project"]])
def test_anything_unusual_is_left_to_click(own):
    with pytest.raises(NotFast):
        parse_fast(own, {})


def test_wrapping_does_not_import_click(tmp_path):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "runwrap", "--quiet",
                           "--dir", str(tmp_path), "--", "true"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "runwrap.wrap.runner" in imported
    assert "click" not in imported


def test_run_subcommand_takes_the_fast_path_and_wraps_a_program_named_like_a_subcommand(
        tmp_path):
    """`runwrap run` is how a sweep's agent starts each trial: no click there either, and the
    word after runwrap's options is the program even where it names a subcommand (`ls`)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "runwrap", "run", "--quiet",
                           "--dir", str(tmp_path), "--project", "p", "ls", str(tmp_path)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "runwrap.wrap.runner" in imported
    assert "click" not in imported
    assert "p" in done.stdout.split()  # ls's own output: the store holds project p


@pytest.mark.parametrize("args", [["run"], ["run", "--help"], ["run", "--bogus", "true"]])
def test_run_subcommand_leaves_help_and_bad_words_to_click(args):
    done = subprocess.run([sys.executable, "-m", "runwrap", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    assert "runwrap run" in done.stdout + done.stderr  # click names the subcommand
