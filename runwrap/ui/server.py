"""The dashboard's HTTP server: the standard library's threaded server, JSON endpoints, Server-Sent
Events for live updates, and the page's static files. Read-only over the store.

    GET /                      the page (static/index.html)
    GET /static/NAME           app.js, app.css; plotly.min.js from the installed plotly package
    GET /api/runs              the runs table (?config=KEYS&metrics=NAMES, comma lists;
                               &project=P&filter=TERMS, ui/filters.py)
    GET /api/sweep?id=ID       a sweep: its definition and its trials ranked by the metric
    GET /api/run?run=P/ID      a run's facts, config, summary, consoles, files
    GET /api/diff?a=P/ID&b=P/ID    config keys that differ
    GET /api/metrics?run=...[&first=N&x=&width=]   the metric names of some runs (system
                               metrics and step keys apart), and the first N charts' series;
                               newest=N[&project=P&filter=TERMS] instead of run=: the newest runs
    GET /api/series?metric=M&run=...&x=step|wall|relative&width=N[&lo=&hi=][&since=N,...]
    GET /api/console?run=P/ID&name=output.log[&offset=N]
    GET /api/live?run=...[&console=NAME[&console_run=P/ID]]   Server-Sent Events: which runs
                               gained records (one connection a page: every view's runs)
    GET /files/P/ID/PATH       a file of a run directory, never anything outside the store

Security: on a loopback address the server answers only requests whose Host header names
loopback (a web page elsewhere cannot reach it through DNS rebinding); on any other address
every request must carry the token (`?token=`, then a cookie the first such request sets).
Pages get a Content-Security-Policy without inline scripts, and the page builds its DOM with
text nodes only, so run contents never become markup.

Over 400 lines because `Handler` answers every endpoint above, each with its parameters read
and checked beside it, and the security and sending rules they all share; what an endpoint
returns is computed below it (view.py, series.py, downsample.py, sweeps.py).
"""
from __future__ import annotations

import contextlib
import gzip
import hmac
import itertools
import json
import mimetypes
import os
import posixpath
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from runwrap.store.runs import RunInfo, load_run
from runwrap.store.values import to_json_safe
from runwrap.ui.filters import BadFilter
from runwrap.ui.downsample import downsample
from runwrap.ui.series import X_MODES
from runwrap.ui.sweeps import sweep_page
from runwrap.ui.view import BadRequest, StoreView, consoles, key_of, read_console

STATIC = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"app.js": "text/javascript", "app.css": "text/css"}
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
TOKEN_COOKIE = "runwrap_ui_token"
MAX_BUCKETS = 2000
MIN_BUCKETS = 64
CHART_POINTS = 40_000  # at most about this many points in one chart, all runs together
CONSOLE_LIMIT = 256 * 1024
LIVE_INTERVAL = 0.1  # seconds between looks at the watched runs' streams
STATUS_INTERVAL = 1.0  # seconds between looks at their run.json
KEEPALIVE = 15.0
WARM_POINTS = 20_000_000  # points read ahead at start-up (24 bytes each)...
WARM_RUNS = 200  # ...from at most this many of the newest runs
NEWEST = 10  # runs the charts show before any are picked
FIRST_CHARTS = 8  # series /api/metrics may send along (&first=N): the charts first in view
IDLE_TIMEOUT = 60.0  # seconds a connection may send nothing (or take nothing of an answer)
BACKLOG = 128  # connections the kernel queues before accept(): a page opens many at once
MAX_CONNECTIONS = 256  # served at once (a thread each); more wait in the kernel's queue
WARM_IDLE = 2.0  # seconds without a request before runs without a cache are read ahead

PAGE_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-eval'; "  # regl (plotly's WebGL) compiles with Function
               "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
               "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "frame-ancestors 'none'; form-action 'none'")
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
# Types a browser would run or render as a page: served as text instead.
ACTIVE_TYPES = ("text/html", "application/xhtml+xml", "text/javascript", "application/javascript",
                "application/xml", "text/xml")


def plotly_js() -> Optional[Path]:
    """plotly.min.js from the installed plotly package (the `ui` extra), without importing plotly."""
    import importlib.util  # start-up: loaded only on the path that needs it

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "package_data" / "plotly.min.js"
        if path.is_file():
            return path
    return None


class Asset:
    __slots__ = ("data", "compressed")

    def __init__(self, data: bytes, compressed: bool):
        self.data = data
        self.compressed = compressed


class Dashboard:
    """Everything the request handlers share: the store view, the token, cached assets."""

    def __init__(self, root: Path, token: Optional[str]):
        self.view = StoreView(root)
        self.token = token
        self.requests = 0  # requests being answered, event streams left out
        self.answered = time.monotonic()  # when the last one was answered (the start counts)
        self.requests_lock = threading.Lock()
        self.assets: Dict[str, bytes] = {}
        self.assets_lock = threading.Lock()
        self.plotly = plotly_js()

    def asset(self, name: str, compressed: bool) -> Optional["Asset"]:
        """A static file, gzip-compressed when asked and ready (plotly.js takes most of a second
        to compress: `warm` does it ahead, and a page that comes first gets the plain bytes
        rather than wait); None when it does not exist (plotly not installed)."""
        with self.assets_lock:
            if compressed and name + ".gz" in self.assets:
                return Asset(self.assets[name + ".gz"], True)
            data = self.assets.get(name)
            if data is None:
                path = self.plotly if name == "plotly.min.js" else STATIC / name
                if path is None:
                    return None
                data = self.assets[name] = path.read_bytes()
            return Asset(data, False)

    def compress_assets(self) -> None:
        for name in ["plotly.min.js"] + list(STATIC_FILES) + ["index.html"]:
            asset = self.asset(name, False)
            if asset is not None:
                if name == "plotly.min.js" and self.plotly is not None:
                    # Compressed once and kept in the store's cache: seconds of CPU here.
                    packed = self.view.cache.gzipped(self.plotly, asset.data)
                else:
                    packed = gzip.compress(asset.data, 6)
                with self.assets_lock:
                    self.assets[name + ".gz"] = packed

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        with self.requests_lock:
            self.requests += 1
        try:
            yield
        finally:
            with self.requests_lock:
                self.requests -= 1
                self.answered = time.monotonic()

    def warm(self) -> None:
        """Compress the page's files, then read the newest runs ahead so the first chart need
        not wait for them: first those the series cache holds (a few kilobytes each), then,
        only while no page has asked for anything for a while and at a lower CPU priority
        (the browser compiling the page shares the machine), those it does not: their streams
        (which writes their cache)."""
        self.compress_assets()
        runs = list(itertools.islice(self.view.runs(), WARM_RUNS))
        cached = [r for r in runs if self.view.cache.holds(r)]
        points = 0
        for run in cached + [r for r in runs if r not in cached]:
            if run not in cached:
                _lower_priority()
                while self.requests or time.monotonic() - self.answered < WARM_IDLE:
                    time.sleep(0.1)
            while self.requests:  # a page waits: the read-ahead gives it the interpreter
                time.sleep(0.05)
            series = self.view.run_series(run)
            points += series.points_count()
            if points >= WARM_POINTS:
                return


def _lower_priority() -> None:
    """Lower this thread's CPU priority (Linux: a thread has its own nice value)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def _runs_param(query: Dict[str, List[str]]) -> List[str]:
    return [k for value in query.get("run", []) for k in value.split(",") if k]


def chart_series(view: StoreView, metric: str, runs: List[RunInfo], x: str, buckets: int,
                 lo: Optional[float] = None, hi: Optional[float] = None,
                 since: Optional[List[int]] = None) -> List[Dict[str, Any]]:
    """Each run's series of `metric` as a chart gets it: downsampled to `buckets` between lo and
    hi (a zoom: from every point), or only the points after `since[i]` (a live update; `reset`
    when that is more than a redraw needs). `count`: the points held, for the next update."""
    zoomed = lo is not None or hi is not None  # at full resolution: every point, not the cached shape
    out = []
    for run, start in zip(runs, since or [0] * len(runs)):
        series = view.run_series(run, exact=zoomed)
        count = series.count(metric)
        entry: Dict[str, Any] = {"run": key_of(run), "count": count}
        if start:
            if count - start > 2 * buckets:
                entry["reset"] = True  # too much new: the page fetches the whole chart again
            else:
                entry["xs"], entry["ys"] = series.points(metric, x, run.start_time,
                                                         since=start).lists()
        else:
            points = series.points(metric, x, run.start_time)
            entry["xs"], entry["ys"] = downsample(points, buckets, lo, hi)
        out.append(entry)
    return out


def _x_param(query: Dict[str, List[str]]) -> str:
    x = query.get("x", ["step"])[0]
    if x not in X_MODES:
        raise BadRequest(f"x must be one of {', '.join(X_MODES)}, not {x!r}")
    return x


def _buckets(query: Dict[str, List[str]], runs: int) -> int:
    """A bucket per pixel of the chart's width, but no more points in all than a browser draws
    at once without stalling: many overlaid runs get fewer buckets each."""
    return max(1, min(MAX_BUCKETS, _int_param(query, "width", 1000),
                      max(MIN_BUCKETS, CHART_POINTS // (2 * max(1, runs)))))


def _project_param(query: Dict[str, List[str]]) -> Optional[str]:
    return query.get("project", [""])[0] or None


def _list_param(query: Dict[str, List[str]], name: str) -> Optional[List[str]]:
    if name not in query:
        return None
    return [v for v in query[name][0].split(",") if v]


def _float_param(query: Dict[str, List[str]], name: str) -> Optional[float]:
    value = query.get(name, [""])[0]
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise BadRequest(f"{name} must be a number, not {value!r}") from None


def _natural(value: str, name: str) -> int:
    """A count or byte offset from the query: ASCII digits only (`²` is a digit to
    str.isdigit, not to int) and short enough to be one."""
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise BadRequest(f"{name} must be a whole number, not {value[:40]!r}")
    return int(value)


def _int_param(query: Dict[str, List[str]], name: str, default: int) -> int:
    value = query.get(name, [""])[0]
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, not {value!r}") from None


class Handler(BaseHTTPRequestHandler):
    server_version = "runwrap-ui"
    protocol_version = "HTTP/1.1"
    dashboard: Dashboard  # set on the subclass make_server builds

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal stays quiet; errors reach the page as HTTP statuses

    # -- dispatch ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        try:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            if not self._allowed(query):
                return
            if parts.path == "/api/live":
                self._route(parts.path, query)
            else:
                with self.dashboard.answering():
                    self._route(parts.path, query)
        except (BadRequest, BadFilter) as e:
            self._error(str(e), getattr(e, "status", 400))
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client hung up or stalled: nobody to answer
        except Exception as e:  # noqa: BLE001 - one bad request must not end the server
            # The page shows the message; the terminal stays quiet.
            self._error(f"{type(e).__name__}: {e}", 500)

    def _error(self, message: str, status: int) -> None:
        try:
            self._json({"error": message}, status)
        except OSError:  # a client that hangs up on an error reply is no news either
            self.close_connection = True

    def _allowed(self, query: Dict[str, List[str]]) -> bool:
        dash = self.dashboard
        if dash.token is None:
            if _host_name(self.headers.get("Host") or "") not in LOOPBACK:
                self._plain("unknown Host header: open the address runwrap ui printed", 403)
                return False
            return True
        given = query.get("token", [""])[0]
        if given and hmac.compare_digest(given.encode(), dash.token.encode()):
            self.set_cookie = True
            return True
        self.set_cookie = False
        cookie = self.headers.get("Cookie") or ""
        for item in cookie.split(";"):
            name, _, value = item.strip().partition("=")
            if name == TOKEN_COOKIE and hmac.compare_digest(value.encode(), dash.token.encode()):
                return True
        self._plain("this dashboard needs its token: open the URL runwrap ui printed", 403)
        return False

    def _route(self, path: str, query: Dict[str, List[str]]) -> None:
        view = self.dashboard.view
        if path == "/":
            self._static("index.html", "text/html; charset=utf-8")
        elif path.startswith("/static/"):
            name = path[len("/static/"):]
            if name == "plotly.min.js":
                self._static(name, "text/javascript", cache=True)
            elif name in STATIC_FILES:
                self._static(name, STATIC_FILES[name])
            else:
                raise BadRequest("no such file", 404)
        elif path == "/api/runs":
            self._json(view.table(_list_param(query, "config"), _list_param(query, "metrics"),
                                  _project_param(query), query.get("filter", [""])[0]))
        elif path == "/api/sweep":
            sweep = sweep_page(view.root, query.get("id", [""])[0])
            if sweep is None:
                raise BadRequest(f"no sweep {query.get('id', [''])[0]!r} in this store", 404)
            self._json(sweep)
        elif path == "/api/run":
            self._json(view.details(view.run(query.get("run", [""])[0])))
        elif path == "/api/diff":
            a = view.run(query.get("a", [""])[0])
            b = view.run(query.get("b", [""])[0])
            self._json({"a": key_of(a), "b": key_of(b), "keys": view.config_diff(a, b)})
        elif path == "/api/metrics":
            if "newest" in query:  # the first look: the newest runs, found here
                keys = view.newest(max(1, min(1000, _int_param(query, "newest", NEWEST))),
                                   _project_param(query), query.get("filter", [""])[0])
            else:
                keys = _runs_param(query)
            runs = [view.run(k) for k in keys]
            body = dict(view.metric_names(runs), names={key_of(r): r.name or r.id for r in runs},
                        runs=keys)
            first = min(FIRST_CHARTS, _int_param(query, "first", 0))
            if first > 0:  # the first charts' series too: a first look waits for one answer, not two
                x, buckets = _x_param(query), _buckets(query, len(runs))
                body["series"] = {m: chart_series(view, m, runs, x, buckets)
                                  for m in body["metrics"][:first]}
            self._json(body)
        elif path == "/api/series":
            self._series(query)
        elif path == "/api/console":
            run = view.run(query.get("run", [""])[0])
            offset = query.get("offset", [""])[0]
            self._json(read_console(run.dir, query.get("name", ["output.log"])[0],
                                    _natural(offset, "offset") if offset else None,
                                    CONSOLE_LIMIT))
        elif path == "/api/live":
            self._live(query)
        elif path.startswith("/files/"):
            self._file(path[len("/files/"):])
        else:
            raise BadRequest("no such page", 404)

    # -- endpoints ---------------------------------------------------------------------------

    def _series(self, query: Dict[str, List[str]]) -> None:
        view = self.dashboard.view
        metric = query.get("metric", [""])[0]
        x = _x_param(query)
        lo, hi = _float_param(query, "lo"), _float_param(query, "hi")
        keys = _runs_param(query)
        since = [_natural(v, "since") if v else 0 for v in query.get("since", [""])[0].split(",")]
        since += [since[-1] if len(since) == 1 else 0] * (len(keys) - len(since))
        runs = [view.run(key) for key in keys]
        self._json({"metric": metric, "x": x,
                    "series": chart_series(view, metric, runs, x, _buckets(query, len(keys)),
                                           lo, hi, since)})

    def _live(self, query: Dict[str, List[str]]) -> None:
        """Server-Sent Events: `{"runs": {key: {"count": records, "status": s}}, "console": n}`
        whenever a watched run's streams gain records, its status changes or the watched
        console grows. The page then fetches what is new."""
        view = self.dashboard.view
        runs = {k: view.run(k) for k in _runs_param(query)}
        console_name = query.get("console", [""])[0]
        console_key = query.get("console_run", [""])[0]
        console_run = (runs.get(console_key) or view.run(console_key) if console_key
                       else next(iter(runs.values()), None)) if console_name else None
        if console_run is not None and console_name not in consoles(console_run.dir):
            console_run = None
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        self.close_connection = True
        sent: Dict[str, tuple] = {}
        console_size = -1
        status_checked = 0.0
        statuses = {k: r.status for k, r in runs.items()}
        last_write = time.monotonic()
        while True:
            now = time.monotonic()
            if now - status_checked >= STATUS_INTERVAL:
                status_checked = now
                for key in list(runs):
                    fresh = load_run(runs[key].dir)
                    if fresh is not None:
                        runs[key] = fresh
                        statuses[key] = fresh.status
            changed: Dict[str, Any] = {}
            for key, run in runs.items():
                series = view.run_series(run) if statuses[key] == "running" or key not in sent \
                    else view.series.get(key)
                state = (series.version if series else 0, statuses[key])
                if sent.get(key) != state:
                    sent[key] = state
                    changed[key] = {"version": state[0], "status": state[1]}
            event: Dict[str, Any] = {}
            if changed:
                event["runs"] = changed
            if console_run is not None:
                try:
                    size = os.stat(console_run.dir / console_name).st_size
                except OSError:
                    size = 0
                if size != console_size:
                    console_size = size
                    event["console"] = size
            if event:
                self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                self.wfile.flush()
                last_write = now
            elif now - last_write >= KEEPALIVE:
                self.wfile.write(b": keep-alive\n\n")  # finds a closed page, keeps proxies open
                self.wfile.flush()
                last_write = now
            time.sleep(LIVE_INTERVAL)

    def _file(self, rest: str) -> None:
        """A file under a run directory. `rest` is still percent-encoded: it is decoded once and
        every segment checked, then the resolved path (links followed) must lie in the store."""
        view = self.dashboard.view
        segments = unquote(rest).split("/")
        if len(segments) < 3 or any(s in ("", ".", "..") or "\0" in s or "\\" in s for s in segments):
            raise BadRequest("no such file", 404)
        run = view.run(f"{segments[0]}/{segments[1]}")
        path = os.path.join(run.path, *segments[2:])
        if not view.inside(path) or not os.path.isfile(path):
            raise BadRequest("no such file", 404)
        kind = mimetypes.guess_type(posixpath.basename(path))[0] or "application/octet-stream"
        if kind in ACTIVE_TYPES or kind.startswith("text/"):
            kind = "text/plain; charset=utf-8"
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(size))
            self.send_header("Content-Security-Policy", FILE_POLICY)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-cache")
            self._cookie()
            self.end_headers()
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                self.wfile.write(chunk)

    # -- responses ---------------------------------------------------------------------------

    def _cookie(self) -> None:
        if getattr(self, "set_cookie", False):
            self.send_header("Set-Cookie", f"{TOKEN_COOKIE}={self.dashboard.token}; Path=/; "
                                           "HttpOnly; SameSite=Strict")

    def _send(self, body: bytes, kind: str, status: int = 200, cache: bool = False,
              compressed: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "max-age=86400" if cache else "no-store")
        if compressed:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        if kind.startswith("text/html"):
            self.send_header("Content-Security-Policy", PAGE_POLICY)
            self.send_header("Referrer-Policy", "no-referrer")
        self._cookie()
        self.end_headers()
        self.wfile.write(body)

    def _gzip_ok(self) -> bool:
        return "gzip" in (self.headers.get("Accept-Encoding") or "")

    def _json(self, obj: Any, status: int = 200) -> None:
        try:
            body = json.dumps(obj, allow_nan=False, separators=(",", ":"), default=str)
        except ValueError:  # a NaN or infinity in a config or summary: the stores' strings
            body = json.dumps(to_json_safe(obj), separators=(",", ":"), default=str)
        data = body.encode()
        compressed = len(data) > 4096 and self._gzip_ok()
        if compressed:
            data = gzip.compress(data, 1)
        self._send(data, "application/json", status, compressed=compressed)

    def _plain(self, text: str, status: int) -> None:
        self._send(text.encode() + b"\n", "text/plain; charset=utf-8", status)

    def _static(self, name: str, kind: str, cache: bool = False) -> None:
        asset = self.dashboard.asset(name, self._gzip_ok())
        if asset is None:
            raise BadRequest("charts need plotly: pip install 'runwrap[ui]'", 404)
        self._send(asset.data, kind, cache=cache, compressed=asset.compressed)


def _host_name(header: str) -> str:
    """The host of a Host header, without its port (`[::1]:8787` -> `[::1]`)."""
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0]


def make_server(root: Path, host: str, port: int, token: Optional[str],
                idle_timeout: float = IDLE_TIMEOUT) -> ThreadingHTTPServer:
    """A server over the store at `root`, bound but not yet serving. `token` None means the
    loopback-only mode (Host checked); otherwise every request must carry it. A connection
    that sends nothing (or takes nothing) for `idle_timeout` seconds is closed."""

    class Bound(Handler):
        dashboard = Dashboard(root, token)
        timeout = idle_timeout  # BaseHTTPRequestHandler puts it on the connection's socket

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        request_queue_size = BACKLOG
        slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

        def process_request(self, request: Any, client_address: Any) -> None:
            """At most MAX_CONNECTIONS threads: at the limit, accepting waits for one to end,
            and new connections wait in the listen queue rather than cost a thread each."""
            self.slots.acquire()
            try:
                super().process_request(request, client_address)
            except BaseException:
                self.slots.release()
                raise

        def process_request_thread(self, request: Any, client_address: Any) -> None:
            try:
                super().process_request_thread(request, client_address)
            finally:
                self.slots.release()

        def handle_error(self, request: Any, client_address: Any) -> None:
            """socketserver prints a traceback for whatever a handler let out. A client that
            hung up or stalled (any OSError) is routine; anything else is one line."""
            error = sys.exc_info()[1]
            if isinstance(error, OSError):
                return
            sys.stderr.write(f"runwrap ui: a request from {client_address[0]} failed: "
                             f"{type(error).__name__}: {error}\n")

    server = Server((host.strip("[]"), port), Bound)
    server.daemon_threads = True
    return server
