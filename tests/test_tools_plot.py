"""`runwrap plot`: terminal charts, PNG/SVG images through matplotlib, and an HTML page that a
real browser renders."""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET

import pytest

from runwrap.cli.charts import Chart, Line, sparkline
from runwrap.cli.charts.terminal import render_chart
from tools_support import child_env, curve, make_run, runwrap

BLUE, ORANGE = (0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E)  # the first two lines' colors


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = tmp_path_factory.mktemp("plot") / "store"
    make_run(store, curve(40, rate=0.2), run_id="plot0001", name="slow")
    make_run(store, [{"loss": 0.2 + 0.01 * i} for i in range(30)], run_id="plot0002", name="rising")
    return store


def test_terminal_chart_draws_braille_with_a_legend_entry_per_run(store):
    result = runwrap("plot", "slow", "rising", "--metric", "loss", "--dir", store,
                     env=child_env(COLUMNS="70"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "loss"
    assert any(re.search("[\u2801-\u28ff]", line) for line in lines)
    assert any("slow (plot0001)" in line for line in lines)
    assert any("rising (plot0002)" in line for line in lines)
    assert "\x1b[" not in result.stdout  # not a terminal: no color codes
    assert all(len(line) <= 70 for line in lines)


def test_terminal_chart_puts_a_falling_curve_high_on_the_left_and_low_on_the_right():
    text = render_chart(Chart("loss", "step", [Line("a", [0, 1, 2, 3], [4, 3, 2, 1])]),
                        width=40, height=8)
    rows = [line.split("┤", 1)[1] for line in text.splitlines() if "┤" in line]
    first_dot_row = next(i for i, r in enumerate(rows) if r.strip())
    assert rows[first_dot_row].strip() and rows[first_dot_row].index(rows[first_dot_row].strip()[0]) < 3
    assert len(rows[-1].rstrip()) > 30  # the lowest row reaches the right edge


def test_sparkline_spans_lowest_to_highest_block_and_fits_the_width():
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8], 8) == "▁▂▃▄▅▆▇█"
    assert len(sparkline(list(range(1000)), 20)) == 20
    assert sparkline([3, 3, 3], 10) == "▄▄▄"
    assert sparkline([1.0, float("nan"), 2.0], 3) == "▁ █"
    assert sparkline([], 5) == ""


def test_png_is_a_valid_image_of_the_requested_size(store, tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (runwrap[plot]) is not installed")
    out = tmp_path / "loss.png"
    result = runwrap("plot", "slow", "rising", "-m", "loss", "-o", out, "--size", "640x480",
                     "--dir", store)
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (640, 480)
    from PIL import Image

    with Image.open(out) as image:
        image.verify()


def test_svg_is_well_formed_with_the_requested_size(store, tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib (runwrap[plot]) is not installed")
    out = tmp_path / "loss.svg"
    result = runwrap("plot", "slow", "rising", "-m", "loss", "-m", "acc", "-o", out,
                     "--size", "1000x500", "--x", "time", "--dir", store)
    assert result.returncode == 0, result.stderr
    assert "has no metric 'acc'" in result.stderr  # `rising` logged only loss
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    # matplotlib writes points: 100 pixels per inch at 72 points per inch.
    assert (root.get("width"), root.get("height")) == ("720pt", "360pt")


def test_without_matplotlib_png_is_a_one_line_error_naming_the_extra(store, tmp_path):
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "matplotlib.py").write_text("raise ImportError('matplotlib is hidden by the test')\n")
    env = child_env()
    env["PYTHONPATH"] = f"{shim}:{env['PYTHONPATH']}"
    result = runwrap("plot", "slow", "-m", "loss", "-o", tmp_path / "x.png", "--dir", store, env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "pip install 'runwrap[plot]'" in result.stderr
    assert not (tmp_path / "x.png").exists()
    # the terminal chart and HTML need no matplotlib
    assert runwrap("plot", "slow", "-m", "loss", "--dir", store, env=env).returncode == 0
    assert runwrap("plot", "slow", "-m", "loss", "-o", tmp_path / "x.html", "--dir", store,
                   env=env).returncode == 0


def test_unknown_metric_is_an_error_listing_the_metrics_there(store):
    result = runwrap("plot", "slow", "-m", "nope", "--dir", store)
    assert result.returncode == 2
    assert "nope" in result.stderr and "loss" in result.stderr


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no chromium: apt-get install -y chromium")


def _browser(args, tmp_path):
    profile = tmp_path / "profile"
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}"] + args,
        capture_output=True, text=True, timeout=90)


def test_html_chart_renders_one_line_per_run_in_headless_chromium(store, tmp_path):
    page = tmp_path / "loss.html"
    result = runwrap("plot", "slow", "rising", "-m", "loss", "-o", page, "--dir", store)
    assert result.returncode == 0, result.stderr
    assert "http" not in page.read_text().replace('xmlns="http://www.w3.org/2000/svg"', "")

    dom = _browser(["--dump-dom", page.as_uri()], tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    lines = re.findall(r'<polyline class="line" data-label="([^"]+)"', dom.stdout)
    assert lines == ["slow (plot0001)", "rising (plot0002)"]

    shot = tmp_path / "shot.png"
    result = _browser(["--window-size=1000,700", f"--screenshot={shot}", page.as_uri()], tmp_path)
    assert shot.exists(), result.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as image:
        data = image.convert("RGB").tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3]))

    def near(color):
        return sum(1 for p in pixels if all(abs(a - b) < 40 for a, b in zip(p, color)))

    # Each line is hundreds of pixels long; its legend swatch alone is 56 pixels.
    assert near(BLUE) > 300 and near(ORANGE) > 300
