"""The command line: where runwrap's words end and the program's begin, and bad input."""
from __future__ import annotations

import sys

import pytest

from wrapper_harness import only_run, run_json, runwrap

PY = sys.executable
ECHO_ARGS = "import sys; print(sys.argv[1:])"


def test_trailing_long_option_is_taken_with_a_notice(store):
    done = runwrap(PY, "-c", ECHO_ARGS, "--lr", "3", "--project", "x")
    assert done.stdout.decode().strip() == "['--lr', '3']"
    err = done.stderr.decode()
    assert "runwrap: using --project x; put the command after -- to pass it to the program" in err
    assert run_json(only_run(store))["project"] == "x"


def test_double_dash_before_command_gives_every_word_to_the_program(store):
    done = runwrap("--quiet", "--", PY, "-c", ECHO_ARGS, "--project", "x", "--quiet")
    assert done.stdout.decode().strip() == "['--project', 'x', '--quiet']"


def test_double_dash_after_command_stops_taking_options(store):
    done = runwrap("--quiet", PY, "-c", ECHO_ARGS, "--", "--project", "x")
    assert done.stdout.decode().strip() == "['--', '--project', 'x']"


def test_short_and_unknown_options_after_the_command_belong_to_the_program(store):
    done = runwrap("--quiet", PY, "-c", ECHO_ARGS, "-p", "x", "--epochs=3", "--unknown")
    assert done.stdout.decode().strip() == "['-p', 'x', '--epochs=3', '--unknown']"


def test_subcommand_only_as_first_word(store):
    done = runwrap("--quiet", "--", "ls", "/")  # the program `ls`, not `runwrap ls`
    assert done.returncode == 0 and b"tmp" in done.stdout.split()


def test_explicit_run_form(store):
    done = runwrap("run", "--quiet", "--project", "p", PY, "-c", "print('hi')")
    assert done.stdout == b"hi\n"
    assert run_json(only_run(store))["project"] == "p"


def test_help_lists_wrapping_form_and_subcommands():
    out = runwrap("--help").stdout.decode()
    assert "COMMAND [ARGS]" in out
    for sub in ("ls", "show", "run"):
        assert f"  {sub}" in out


def test_run_help_shows_where_the_command_goes_and_the_default_project():
    out = " ".join(runwrap("run", "--help").stdout.decode().split())
    assert out.startswith("Usage: runwrap run [OPTIONS] [--] COMMAND [ARGS]...")
    assert "(default: the git repository's folder name, else the program's name)" in out


@pytest.mark.parametrize("args,needle", [
    (["--mode", "fast", "true"], "--mode"),
    (["--resume", "maybe", "true"], "--resume"),
    (["--id", "a/b", "true"], "'a/b'"),
    (["--id", "a:b", "true"], "'a:b'"),
    (["--id", "a#b", "true"], "'a#b'"),
    (["--id", "a?b", "true"], "'a?b'"),
    (["--id", "a%b", "true"], "'a%b'"),
    (["--id", "a\\b", "true"], "a\\\\b"),
    (["--project", "a/b", "true"], "--project"),
    (["--config", "missing.yaml", "true"], "missing.yaml"),
    (["--resume", "must", "--id", "nope", "true"], "nope"),
    (["--stats-interval", "-1", "true"], "--stats-interval"),
    (["--tags", "x" * 65, "true"], "64"),
    (["true", "--project"], "--project"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(store, args, needle):
    done = runwrap(*args)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("runwrap: ")
    assert needle in err
    assert not store.exists()


def test_bad_yaml_config_file_exits_2(store, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    done = runwrap("--config", str(bad), "true")
    assert done.returncode == 2
    assert "bad.yaml" in done.stderr.decode() and "YAML" in done.stderr.decode()
    assert not store.exists()


def test_existing_id_without_resume_exits_2_and_keeps_the_run(store):
    assert runwrap("--quiet", "--id", "same1", PY, "-c", "print(1)").returncode == 0
    before = (only_run(store) / "run.json").read_bytes()
    done = runwrap("--quiet", "--id", "same1", PY, "-c", "print(2)")
    assert done.returncode == 2
    assert "--resume" in done.stderr.decode()
    assert (only_run(store) / "run.json").read_bytes() == before


def test_no_command_is_a_usage_error(store):
    done = runwrap("--project", "x")
    assert done.returncode == 2
    assert "no command" in done.stderr.decode()
