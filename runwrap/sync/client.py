"""MLflow's REST API over one kept-alive `requests.Session`, with Nagle disabled and retries.

Why TCP_NODELAY: urllib3 sends a request's headers and body in two writes; with Nagle on, the
second waits for the server's delayed ACK, which puts a ~40 ms floor under every request on a
reused connection. Retries: connection errors, timeouts, 429 and 5xx are retried with
exponential backoff and full jitter (honouring Retry-After); 401/403 raise
AuthenticationError at once; any other 4xx raises `Rejected` with the server's own message,
never retried (sending the same bad request again cannot succeed).
"""
from __future__ import annotations

import json
import random
import threading
import time
from typing import Any, Callable, Dict, Optional, Tuple, Union

from runwrap.errors import AuthenticationError, CommError
from runwrap.store.values import to_json_safe
from runwrap.sync.config import SyncConfig

USER_AGENT = "runwrap-sync"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

_dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode


class Rejected(CommError):
    """The server refused a request for good (a 4xx other than 401/403/429)."""

    def __init__(self, status: int, error_code: str, message: str):
        super().__init__(f"the tracking server refused the request ({status} {error_code}): "
                         f"{message}")
        self.status = status
        self.error_code = error_code
        self.server_message = message


class Unreachable(CommError):
    """Every attempt failed with a connection error, a timeout, 429 or 5xx; the request may or
    may not have reached the server (the answer was lost)."""


RAW_HEADERS = {"Content-Type": "application/octet-stream"}  # a file's bytes, not JSON


def encode_body(obj: Any) -> bytes:
    """JSON for the server. NaN/±Inf become the strings "NaN"/"Infinity"/"-Infinity": protobuf's
    JSON parser reads those into doubles, while a bare NaN token makes MLflow's server silently
    store the whole batch as one 0.0."""
    try:
        text = _dumps(obj)
    except ValueError:
        text = _dumps(to_json_safe(obj))
    return text.encode("utf-8")


def _nodelay_adapter(**kwargs: Any) -> Any:
    import socket  # start-up: loaded only on the path that needs it

    # start-up: requests is imported only where it is used; start-up: urllib3 is imported only where it is used
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection

    class NoDelayAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kw: Any) -> None:
            kw["socket_options"] = list(HTTPConnection.default_socket_options) + [
                (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
            super().init_poolmanager(*args, **kw)

    return NoDelayAdapter(**kwargs)


def make_session(config: SyncConfig) -> Any:
    """A Session with TCP_NODELAY on every connection, the auth header and the TLS choice."""
    import requests  # start-up: requests is imported only where it is used

    session = requests.Session()
    adapter = _nodelay_adapter(pool_connections=2, pool_maxsize=4, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT, "Content-Type": "application/json"})
    session.headers.update(config.auth_headers())
    session.verify = config.verify
    session.trust_env = False  # proxies from the environment would break 127.0.0.1 servers
    if config.verify is False:
        import urllib3  # start-up: urllib3 is imported only where it is used

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    return session


# (problem, the attempt that failed, attempts allowed or None, seconds until the next one)
RetryNotice = Callable[[str, int, Optional[int], float], None]
CONNECT_TIMEOUT = 5.0  # a server that does not even accept in 5 s is not there


class RestClient:
    """Calls to one tracking server. `attempts` bounds the tries per call (None: until
    `deadline`); `deadline` is a time.monotonic() value after which no new try starts; `stop` is
    an Event whose setting cuts a backoff sleep short (the uploader's exit); `timeout` bounds
    each try (connecting, and then each wait for the server's answer); `on_retry` hears of each
    failed try that will be retried (`runwrap sync` says so)."""

    def __init__(self, config: SyncConfig, attempts: Optional[int] = 6, backoff: float = 0.5,
                 max_backoff: float = 20.0, timeout: float = 30.0,
                 stop: Optional[threading.Event] = None,
                 on_retry: Optional[RetryNotice] = None):
        config.require_credentials()
        self.config = config
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self.deadline: Optional[float] = None
        self.stop = stop or threading.Event()
        self.on_retry = on_retry
        # One Session (and so one kept-alive connection) per thread: the uploader has two
        # batches in flight from two threads, and a Session is not meant to be shared.
        self._local = threading.local()
        self._sessions: list = []
        self._sessions_lock = threading.Lock()

    @property
    def session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = make_session(self.config)
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    # -- transport ---------------------------------------------------------------------------

    def call(self, method: str, endpoint: str, body: Any = None,
             params: Optional[Dict[str, Any]] = None,
             before_retry: Optional[Callable[[], bool]] = None,
             url: Optional[str] = None, raw: Optional[bytes] = None) -> Dict[str, Any]:
        """One API call with retries; the parsed JSON answer.

        `before_retry` runs before each retry of a call whose answer was lost; when it returns
        True the call counts as done (the caller found its effect already on the server).
        `url` and `raw` call another endpoint than MLflow's REST API with a body as it is (the
        artifact upload)."""
        import requests  # start-up: requests is imported only where it is used

        url = url or self.config.api(endpoint)
        data = raw if raw is not None else (encode_body(body) if body is not None else None)
        attempt = 0
        while True:
            attempt += 1
            timeout = self._timeout()
            try:
                resp = self.session.request(method, url, data=data, params=params, timeout=timeout,
                                            headers=RAW_HEADERS if raw is not None else None)
            except requests.exceptions.ConnectTimeout:
                problem = f"cannot reach {self.config.uri}: no connection within {timeout[0]:g} s"
                retry_after = None
            except requests.exceptions.ReadTimeout:
                problem = f"{self.config.uri} accepted but did not answer within {timeout[1]:g} s"
                retry_after = None
            except requests.exceptions.RequestException as e:
                problem = f"cannot reach {self.config.uri}: {_short(e)}"
                retry_after = None
            else:
                if resp.status_code < 300:
                    try:
                        return resp.json() if resp.content else {}
                    except ValueError:
                        return {}
                if resp.status_code in (401, 403):
                    raise AuthenticationError(
                        f"the tracking server {self.config.uri} answered {resp.status_code} "
                        f"({_server_message(resp)}); check MLFLOW_TRACKING_TOKEN or "
                        f"MLFLOW_TRACKING_USERNAME/PASSWORD")
                if resp.status_code not in RETRY_STATUSES:
                    code, message = _error_of(resp)
                    raise Rejected(resp.status_code, code, message)
                problem = (f"the tracking server {self.config.uri} answered {resp.status_code} "
                           f"({_server_message(resp)})")
                retry_after = _retry_after(resp)
            delay = self._delay(attempt, retry_after)
            if delay is None:
                raise Unreachable(problem)
            if self.on_retry is not None:
                self.on_retry(problem, attempt, self.attempts, delay)
            self._sleep(delay, problem)
            if before_retry is not None:
                try:
                    if before_retry():
                        return {}
                except CommError:
                    pass  # still unreachable: just try the call again

    def _sleep(self, delay: float, problem: str) -> None:
        """Back off; `stop` wakes the sleeper once, after which only the deadline bounds the
        retries (and without a deadline, stopping ends them)."""
        if not self.stop.is_set():
            self.stop.wait(delay)
        elif self.deadline is not None:
            time.sleep(delay)
        if self.stop.is_set() and self.deadline is None:
            raise Unreachable(problem + " (upload stopped)")

    def _timeout(self) -> Tuple[float, float]:
        """(connect, read) seconds for one try."""
        read = self.timeout
        if self.deadline is not None:
            read = max(0.5, min(self.timeout, self.deadline - time.monotonic()))
        return min(CONNECT_TIMEOUT, read), read

    def _delay(self, attempt: int, retry_after: Optional[float]) -> Optional[float]:
        """Seconds to wait before the next try, or None when no try is left."""
        if self.attempts is not None and attempt >= self.attempts:
            return None
        # Full jitter: uniform in [0, min(cap, base * 2^n)] spreads clients that failed together.
        delay = random.uniform(0, min(self.max_backoff, self.backoff * (2 ** (attempt - 1))))
        delay = max(delay, self.backoff / 4)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_backoff))
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                return None
            delay = min(delay, left)
        return delay

    # -- endpoints ---------------------------------------------------------------------------

    def get(self, endpoint: str, **params: Any) -> Dict[str, Any]:
        return self.call("GET", endpoint, params=params)

    def post(self, endpoint: str, body: Any, **kw: Any) -> Dict[str, Any]:
        return self.call("POST", endpoint, body=body, **kw)

    def experiment_id(self, name: str) -> str:
        """The id of the experiment called `name`, created when missing (two clients may race to
        create it: the loser gets RESOURCE_ALREADY_EXISTS and looks it up)."""
        try:
            return str(self.post("experiments/create", {"name": name})["experiment_id"])
        except Rejected as e:
            if e.error_code != "RESOURCE_ALREADY_EXISTS":
                raise
        found = self.get("experiments/get-by-name", experiment_name=name)
        return str(found["experiment"]["experiment_id"])

    def get_run(self, run_id: str) -> Dict[str, Any]:
        return self.get("runs/get", run_id=run_id)["run"]

    def put_artifact(self, path: str, data: bytes) -> None:
        """Upload `data` as the artifact at `path` (under the proxied artifact root): PUT
        replaces, so sending the same file twice leaves one copy."""
        # start-up: loaded only on the path that needs it
        from runwrap.sync.files import artifact_url

        self.call("PUT", path, url=artifact_url(self.config.uri, path), raw=data)

    def log_batch(self, run_id: str, metrics: list, params: list, tags: list,
                  before_retry: Optional[Callable[[], bool]] = None) -> None:
        body: Dict[str, Any] = {"run_id": run_id}
        if metrics:
            body["metrics"] = metrics
        if params:
            body["params"] = params
        if tags:
            body["tags"] = tags
        self.post("runs/log-batch", body, before_retry=before_retry)


def _short(e: BaseException) -> str:
    """What went wrong in the words of its root cause (`Connection refused`, `Name or service
    not known`, an SSL error), not the repr of the urllib3 pool and retry wrappers around it
    (`HTTPConnectionPool(host=..., port=1): Max retries exceeded with url: ...`)."""
    cause: Optional[BaseException] = e
    seen = 0
    while cause is not None and seen < 16:
        seen += 1
        if isinstance(cause, OSError) and cause.strerror:
            text = str(cause.strerror)
            break
        reason = getattr(cause, "reason", None)
        inner = cause.args[0] if cause.args and isinstance(cause.args[0], BaseException) else None
        cause = (reason if isinstance(reason, BaseException) else inner) or (
            cause.__cause__ or cause.__context__)
    else:
        text = str(e)
    return text if len(text) < 200 else text[:200] + "..."


def _error_of(resp: Any) -> tuple:
    try:
        doc = resp.json()
        return str(doc.get("error_code") or resp.status_code), _one_line(str(doc.get("message")))
    except ValueError:
        return str(resp.status_code), _one_line(resp.text or resp.reason or "")


def _server_message(resp: Any) -> str:
    code, message = _error_of(resp)
    return message or code


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _retry_after(resp: Any) -> Optional[float]:
    value = resp.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def check_server(config: Union[SyncConfig, str], attempts: int = 2, timeout: float = 10.0,
                 anonymous: Optional[str] = None) -> None:
    """Fail fast before a run starts (`force=True`): AuthenticationError when the server rejects
    the credentials (or anonymous="never" has none), CommError when it cannot be reached or is
    not an MLflow tracking server. An authenticated API call, since /health needs no login.
    `config` may be a bare URI; credentials and TLS then come from the environment."""
    if isinstance(config, str):
        # start-up: loaded only on the path that needs it
        from runwrap.sync.config import resolve_config

        resolved = resolve_config(tracking_uri=config, anonymous=anonymous)
        assert resolved is not None
        config = resolved
    client = RestClient(config, attempts=attempts, backoff=0.3, timeout=timeout)
    try:
        client.get("experiments/search", max_results=1)
    except Rejected as e:
        raise CommError(f"{config.uri} does not answer like an MLflow tracking server "
                        f"({e.status} on /api/2.0/mlflow/experiments/search: "
                        f"{e.server_message}); check the tracking URI") from None
    finally:
        client.close()
