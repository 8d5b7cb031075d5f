"""Where the tracking server is and how to talk to it: URI, credentials, TLS.

Precedence, highest first: `--tracking-uri` (or init()'s argument), `settings`,
$RUNWRAP_TRACKING_URI, $MLFLOW_TRACKING_URI (only an http(s) value of the latter counts: it
often names a local store for other tools). Credentials come only from the environment
(MLflow's own names) or from a `user:password@` in the URI; they live in a `SyncConfig` whose
repr masks them, and nothing in this package writes them anywhere.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, Mapping, Optional, Tuple, Union
from urllib.parse import unquote, urlsplit, urlunsplit

from runwrap import env
from runwrap.errors import AuthenticationError, UsageError
from runwrap.store.lifecycle import ANONYMOUS_VALUES

_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SyncConfig:
    """A resolved tracking server: `uri` never holds credentials and is safe to print."""

    uri: str  # scheme://host[:port][/prefix], no trailing slash, no user:password
    source: str = "flag"  # which setting gave the URI (flag, settings, or the variable's name)
    token: Optional[str] = field(default=None, repr=False)
    username: Optional[str] = field(default=None, repr=False)
    password: Optional[str] = field(default=None, repr=False)
    verify: Union[bool, str] = True  # False: MLFLOW_TRACKING_INSECURE_TLS; str: a CA bundle
    anonymous: str = "allow"  # allow | must (send no user identity) | never (need credentials)

    @property
    def has_credentials(self) -> bool:
        return bool(self.token or self.username)

    def auth_headers(self) -> Dict[str, str]:
        """The Authorization header for every request (bearer token wins over basic auth)."""
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.username:
            import base64  # start-up: loaded only on the path that needs it

            pair = f"{self.username}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        return {}

    def api(self, endpoint: str) -> str:
        return f"{self.uri}/api/2.0/mlflow/{endpoint}"

    def run_url(self, experiment_id: str, run_id: str) -> str:
        """The page of an MLflow run in the server's web UI."""
        return f"{self.uri}/#/experiments/{experiment_id}/runs/{run_id}"

    def require_credentials(self) -> None:
        """anonymous="never": refuse to talk to the server without credentials."""
        if self.anonymous == "never" and not self.has_credentials:
            raise AuthenticationError(
                f"anonymous='never' needs credentials for {self.uri}; set MLFLOW_TRACKING_TOKEN "
                f"or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD")


def pick_tracking_uri(flag: Optional[str] = None, settings: Optional[str] = None,
                      environ: Optional[Mapping[str, str]] = None) -> Optional[Tuple[str, str]]:
    """(uri, source) from the first place that sets one, or None: the one precedence rule."""
    environ = os.environ if environ is None else environ
    for value, source in ((flag, "flag"), (settings, "settings"),
                          (environ.get(env.TRACKING_URI), env.TRACKING_URI),
                          (environ.get(env.MLFLOW_TRACKING_URI), env.MLFLOW_TRACKING_URI)):
        if value and value.strip():
            return value.strip(), source
    return None


def split_credentials(uri: str, source: str = "flag") -> Tuple[str, Optional[str], Optional[str]]:
    """(uri without user:password, user, password); UsageError for URIs we cannot use."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"tracking URI {redact(uri)!r} (from {source}) is not an http(s):// server address; "
            f"runwrap talks to an MLflow tracking server, e.g. http://127.0.0.1:5000")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        netloc += f":{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    return clean, user, password


def redact(uri: str) -> str:
    """`uri` with any password replaced by ***, for messages."""
    try:
        parts = urlsplit(uri)
        if parts.password is None and parts.username is None:
            return uri
        host = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, ""))
    except ValueError:
        return "<unparsable URI>"


def resolve_config(tracking_uri: Optional[str] = None, settings_uri: Optional[str] = None,
                   anonymous: Optional[str] = None,
                   environ: Optional[Mapping[str, str]] = None) -> Optional[SyncConfig]:
    """The tracking server to use, or None when no URI is configured anywhere."""
    environ = os.environ if environ is None else environ
    anonymous = anonymous or "allow"
    if anonymous not in ANONYMOUS_VALUES:
        raise UsageError(f"anonymous={anonymous!r} is not one of {', '.join(ANONYMOUS_VALUES)}")
    picked = pick_tracking_uri(tracking_uri, settings_uri, environ)
    if picked is None:
        return None
    uri, source = picked
    if source == env.MLFLOW_TRACKING_URI and not uri.lower().startswith(("http://", "https://")):
        # The ecosystem's variable often names a local store (file:, sqlite:) or `databricks`
        # for other tools; that is not a server runwrap can talk to, so it means "none".
        return None
    clean, user, password = split_credentials(uri, source)
    username = environ.get(env.MLFLOW_TRACKING_USERNAME) or user
    password = environ.get(env.MLFLOW_TRACKING_PASSWORD) or password
    verify: Union[bool, str] = True
    if (environ.get(env.MLFLOW_TRACKING_INSECURE_TLS) or "").strip().lower() in _TRUE:
        verify = False
    elif environ.get(env.MLFLOW_TRACKING_SERVER_CERT_PATH):
        cert = environ[env.MLFLOW_TRACKING_SERVER_CERT_PATH]
        if not os.path.exists(cert):
            raise UsageError(f"{env.MLFLOW_TRACKING_SERVER_CERT_PATH}={cert!r} does not exist; "
                             f"point it at the server's CA bundle (PEM)")
        verify = cert
    return SyncConfig(uri=clean, source=source, token=environ.get(env.MLFLOW_TRACKING_TOKEN) or None,
                      username=username or None, password=password or None, verify=verify,
                      anonymous=anonymous)
