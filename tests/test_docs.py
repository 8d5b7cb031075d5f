"""The documentation is a specification: every example in README.md and docs/*.md runs.

Each page's examples run in order, in a folder of their own holding a copy of examples/ (so
`python train.py` is the repository's example script), with a store of their own (the default
./runwrap-runs there), a HOME of their own, no RUNWRAP_/WANDB_/MLFLOW_ variables, and the real
`runwrap` on PATH: ```sh blocks under `bash -eu -o pipefail` (a failing command fails the
test), the `$ ` lines of ```console transcripts the same way (the lines they print are not
compared), ```python blocks under this interpreter. An HTML comment on the line before a block,
which the reader of the page does not see, changes how it runs:

    <!-- docs-test: skip (REASON) -->  not run here (a cluster's launcher, the suite itself);
                                       the reason is required and shown in the test's report
    <!-- docs-test: repo -->           run at the root of a fresh copy of the repository
    <!-- docs-test: mlflow -->         run against a real MLflow server this test starts: the
                                       page's http://mlflow.example:5000 is that server
    <!-- docs-test: server -->         a command that serves until Ctrl-C (`runwrap ui`): started
                                       on a free port (`--port 0` is added), its page fetched,
                                       then stopped with SIGINT

Also here: `mkdocs build --strict` (no broken link or anchor), a built site that loads nothing
from another host, links between the pages, and pages that speak of behaviour only.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from mlflow_server import mlflow_server  # noqa: F401  (the session fixture)

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
MKDOCS_CONFIG = ROOT / "docs" / "mkdocs" / "mkdocs.yml"
PLACEHOLDER_SERVER = "http://mlflow.example:5000"
MODES = ("run", "skip", "repo", "mlflow", "server")
LANGUAGES = {"sh": "sh", "bash": "sh", "console": "console", "python": "python"}
BLOCK_TIMEOUT = 300  # seconds: the README's first block installs runwrap into a new venv

FENCE = re.compile(r"^( *)```(\S*)\s*$")
CLOSING = re.compile(r"^ *```\s*$")
ANNOTATION = re.compile(r"^\s*<!--\s*docs-test:\s*(\w+)\s*(.*?)\s*-->\s*$")


@dataclass
class Example:
    page: Path
    line: int  # 1-based line of the opening fence
    language: str  # "sh", "console" or "python"
    code: str
    mode: str = "run"
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def examples(page: Path) -> List[Example]:
    """The runnable blocks of a page (sh, bash, console, python fences), with their annotations."""
    found: List[Example] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, language = len(opening.group(1)), opening.group(2)
        body: List[str] = []
        j = i + 1
        while j < len(lines) and not CLOSING.match(lines[j]):
            body.append(lines[j][indent:])
            j += 1
        if language in LANGUAGES:
            if LANGUAGES[language] == "console":  # a transcript: its commands follow `$ `
                body = [line[2:] for line in body if line.startswith("$ ")]
            example = Example(page, i + 1, LANGUAGES[language], "\n".join(body) + "\n")
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            note = ANNOTATION.match(lines[k]) if k >= 0 else None
            if note:
                example.mode, example.reason = note.group(1), note.group(2).strip("() ")
            found.append(example)
        i = j + 1
    return found


def _env(home: Path, bin_dir: Path, pythonpath: Optional[Path]) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RUNWRAP_", "WANDB_", "MLFLOW_"))}
    env["HOME"] = str(home)
    env["PATH"] = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent),
                                   env.get("PATH", "")])
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # `runwrap ui` opens a browser where there is a display: never from a test.
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    env["BROWSER"] = "true"
    return env


def _copy_repository(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__",
                                    "runwrap-runs", ".pytest_cache", ".hypothesis")
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("runwrap", "examples", "docs", "benchmarks", "completions"):
        shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    return dest


class PageRunner:
    """Runs one page's examples in order, sharing a folder (and a repository copy) between them."""

    def __init__(self, tmp: Path, request: pytest.FixtureRequest):
        self.tmp = tmp
        self.request = request
        self.work = tmp / "work"
        shutil.copytree(ROOT / "examples", self.work,
                        ignore=shutil.ignore_patterns("runwrap-runs", "metrics.jsonl", "__pycache__"))
        self.home = tmp / "home"
        self.home.mkdir()
        self.bin = tmp / "bin"
        self.bin.mkdir()
        shim = self.bin / "runwrap"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m runwrap "$@"\n')
        shim.chmod(0o755)
        self.repo: Optional[Path] = None

    def run(self, example: Example) -> None:
        code, cwd, pythonpath = example.code, self.work, None
        if example.mode == "repo":
            if self.repo is None:
                self.repo = _copy_repository(self.tmp / "repo")
            cwd, pythonpath = self.repo, self.repo
        if example.mode == "mlflow":
            server = self.request.getfixturevalue("mlflow_server")
            assert PLACEHOLDER_SERVER in code, f"{example}: no {PLACEHOLDER_SERVER} to replace"
            code = code.replace(PLACEHOLDER_SERVER, server.uri)
        env = _env(self.home, self.bin, pythonpath)
        if example.mode == "server":
            return self._serve(example, code, env)
        if example.language == "python":
            script = self.tmp / f"example_{example.line}.py"
            script.write_text(code)
            argv = [sys.executable, str(script)]
        else:
            argv = ["bash", "-eu", "-o", "pipefail", "-c", code]
        try:
            done = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=BLOCK_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"{example} ran past {BLOCK_TIMEOUT} s:\n{code}\n{exc.stderr}")
        assert done.returncode == 0, (
            f"{example} exited {done.returncode}:\n{code}\n--- stdout\n{done.stdout[-3000:]}"
            f"\n--- stderr\n{done.stderr[-3000:]}")

    def _serve(self, example: Example, code: str, env: Dict[str, str]) -> None:
        assert code.count("runwrap ui") == 1, f"{example}: a server block holds one `runwrap ui`"
        code = code.replace("runwrap ui", "runwrap ui --port 0", 1)
        log = self.tmp / f"server_{example.line}.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(["bash", "-c", "exec " + code.strip()], cwd=self.work,
                                    env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            url = None
            deadline = time.monotonic() + 60
            while url is None and time.monotonic() < deadline and proc.poll() is None:
                found = re.search(r"http://127\.0\.0\.1:\d+/\S*", log.read_text())
                url = found.group(0) if found else None
                time.sleep(0.1)
            assert url, f"{example}: no URL printed:\n{log.read_text()}"
            with urllib.request.urlopen(url, timeout=120) as answer:
                assert answer.status == 200
            proc.send_signal(signal.SIGINT)
            try:  # generous: a loaded machine, not a wall-clock claim
                code = proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{example}: still serving 120 s after SIGINT:\n{log.read_text()}")
            assert code in (0, 130, -signal.SIGINT), log.read_text()
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_every_page_has_examples_and_every_annotation_is_known():
    seen = [e for page in PAGES for e in examples(page)]
    assert len(seen) > 20
    for example in seen:
        assert example.mode in MODES, f"{example}: unknown docs-test mode {example.mode!r}"
        if example.mode == "skip":
            assert example.reason, f"{example}: a skipped example says why"
    skipped = [e for e in seen if e.mode == "skip"]
    assert len(skipped) <= 8, "keep the examples that cannot run here few: " + ", ".join(map(str, skipped))


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_examples_run(page: Path, tmp_path: Path, request: pytest.FixtureRequest):
    page_examples = examples(page)
    runnable = [e for e in page_examples if e.mode != "skip"]
    if not runnable:
        pytest.skip(f"{page.name} has no runnable example")
    runner = PageRunner(tmp_path, request)
    for example in runnable:
        runner.run(example)


def _mkdocs_build(site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(MKDOCS_CONFIG), "-d", str(site)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    built = _mkdocs_build(site)
    assert built.returncode == 0, f"mkdocs build --strict failed:\n{built.stderr[-5000:]}"
    return site


def test_mkdocs_builds_every_page_strictly(site: Path):
    for page in sorted((ROOT / "docs").glob("*.md")):
        name = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert (site / name).is_file(), f"{page.name} is not in the built site (not in the nav?)"


def test_built_site_loads_nothing_from_another_host(site: Path):
    loads = re.compile(r"<(?:script|img|iframe|source)\b[^>]*\bsrc=[\"']?(https?:)?//"
                       r"|<link\b[^>]*\bhref=[\"']?(https?:)?//"
                       r"|@import\s+(url\()?[\"']?(https?:)?//|url\([\"']?(https?:)?//", re.I)
    offenders = []
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css"):
            for match in loads.finditer(path.read_text(encoding="utf-8", errors="replace")):
                offenders.append(f"{path.relative_to(site)}: {match.group(0)}")
    assert not offenders, "\n".join(offenders[:20])


LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_reach_a_file(page: Path):
    """GitHub shows README.md and docs/*.md as they are: their links must work there too."""
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{page.name} links to {target}, which does not exist"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_speak_of_behaviour_not_of_the_project_diary(page: Path):
    text = page.read_text(encoding="utf-8")
    for pattern in (r"\bissue [0-9]+", r"target (met|missed)", r"\bmissed\b"):
        found = re.search(pattern, text, re.I)
        assert not found, f"{page.name}: {found.group(0)!r} belongs in benchmarks/RESULTS.md"


def test_ci_runs_exactly_the_readme_test_command():
    """The README promises the command that runs the whole suite; CI must run that very line."""
    suite = [e for e in examples(ROOT / "README.md") if "pytest" in e.code]
    assert len(suite) == 1, "the README states one command that runs the test suite"
    command = suite[0].code.strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines, f".ci/run does not run the README's test command: {command}"


def test_design_layout_names_every_folder_and_only_modules_that_exist():
    """docs/design.md's code layout: one row per folder of runwrap/, and no module it names is gone."""
    package = ROOT / "runwrap"
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_/]+)/` \| (.*) \|$", text, re.M))
    folders = {str(p.relative_to(package)) for p in package.rglob("*")
               if p.is_dir() and (p / "__init__.py").exists()}
    missing = sorted(folders - set(rows))
    assert not missing, f"docs/design.md's code layout has no row for {missing}"
    for folder, cell in rows.items():
        base = package if folder == "runwrap" else package / folder
        for name in re.findall(r"`([a-z_]+)`", cell):
            assert (base / f"{name}.py").exists() or (base / name).is_dir(), (
                f"docs/design.md names {folder}/{name}, which does not exist")
