"""The dashboard under test: a real `runwrap ui` process, and headless Chromium driven by
selenium through Debian's chromium-driver (nothing is downloaded at test time)."""
from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

from tools_support import child_env

URL = re.compile(r"(http://\S+)")


class UiServer:
    """`runwrap ui --port 0 --no-browser` over `store`; `url` is the address it printed."""

    def __init__(self, store: Path, *extra: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "runwrap", "ui", "--dir", str(store), "--port", "0", "--no-browser",
             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=child_env(PYTHONUNBUFFERED="1"))
        line = self.proc.stdout.readline()
        found = URL.search(line)
        if not found:
            self.proc.kill()
            raise AssertionError(f"no URL from runwrap ui: {line!r} {self.proc.stderr.read()!r}")
        self.url = found.group(1)
        self.host, self.port = re.match(r"http://([^/]+):(\d+)/", self.url).groups()

    def get(self, path: str, headers: Optional[dict] = None) -> Tuple[int, dict, bytes]:
        """GET `path` exactly as given (no normalisation of `..` or percent escapes)."""
        conn = http.client.HTTPConnection("127.0.0.1", int(self.port), timeout=30)
        try:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": f"127.0.0.1:{self.port}"}
            sent.update(headers or {})
            for k, v in sent.items():
                conn.putheader(k, v)
            conn.endheaders()
            res = conn.getresponse()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
        finally:
            conn.close()

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


def chromium_driver() -> Any:
    """A headless Chromium session, or a skip naming what is missing."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed: pip install -e '.[test]'")
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                    if shutil.which(n)), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        pytest.skip("no chromium/chromedriver: apt-get install -y chromium chromium-driver")
    options = Options()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,900", "--disable-background-networking", "--no-first-run"):
        options.add_argument(arg)
    # An explicit chromedriver: selenium's own manager would try to download one otherwise.
    return webdriver.Chrome(service=Service(driver), options=options)


def texts(driver: Any, selector: str) -> List[str]:
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", selector)
