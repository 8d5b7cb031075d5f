"""`runwrap ui`: serve the live dashboard of the store and open it in the browser."""
from __future__ import annotations

import os
import sys
import threading
from typing import Optional

import click

from runwrap.cli.selection import dir_option
from runwrap.errors import UsageError

DEFAULT_PORT = 8787


def _can_open_browser() -> bool:
    """Whether a browser can show the page here: macOS and Windows always; elsewhere only with
    a display (no browser to start over plain ssh)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@click.command()
@dir_option
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any other than loopback warns and requires a token in the URL.")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.option("--idle-timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              metavar="SECONDS",
              help="Close a connection that sends nothing, or takes nothing of an answer, for "
                   "this long.")
def ui(store_dir: Optional[str], port: int, host: str, no_browser: bool,
       idle_timeout: float) -> None:
    """A live dashboard of the runs in the browser: runs table, charts, run pages."""
    # start-up: the layer below loads only when this command runs
    from runwrap.store.layout import store_root
    from runwrap.ui.server import LOOPBACK, make_server, plotly_js

    root = store_root(store_dir)
    if not root.is_dir():
        raise UsageError(f"--dir {root} is not a run store (no such directory); "
                         f"record a run first or give --dir")
    token = None
    if host not in LOOPBACK:
        import secrets  # start-up: loaded only on the path that needs it

        token = secrets.token_urlsafe(24)
        click.echo(f"runwrap: warning: listening on {host}: anyone who can reach this address and "
                   f"has the URL below can read every run in {root}", err=True)
    try:
        server = make_server(root, host, port, token, idle_timeout)
    except OSError as e:
        raise UsageError(f"cannot listen on {host}:{port} ({e.strerror}); pick another with "
                         f"--port (0 picks a free one)") from None
    bound = server.server_address[1]
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    url = f"http://{shown}:{bound}/" + (f"?token={token}" if token else "")
    if plotly_js() is None:
        click.echo("runwrap: charts need plotly: pip install 'runwrap[ui]' (the runs table and "
                   "run pages work without it)", err=True)
    click.echo(f"runwrap ui: serving {root} at {url}  (Ctrl-C stops)")
    threading.Thread(target=server.RequestHandlerClass.dashboard.warm, daemon=True,
                     name="runwrap-ui-warm").start()
    if not no_browser and _can_open_browser():
        import webbrowser  # start-up: loaded only on the path that needs it

        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
