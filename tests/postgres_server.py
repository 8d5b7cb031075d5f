"""A real PostgreSQL server for the tests: Debian's `postgresql` binaries, a cluster made in a
temporary folder, listening on 127.0.0.1 only, stopped when the test ends. Skipped, with the
reason, where the binaries are absent. As root, the server runs as the `postgres` user (the
server refuses to run as root)."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from typing import Iterator, List, Optional

import pytest


def _bin_dir() -> Optional[str]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return os.path.dirname(found[-1])
    pg_ctl = shutil.which("pg_ctl")
    return os.path.dirname(pg_ctl) if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    pytest.importorskip("psycopg2", reason="the sweep extra's psycopg2-binary is missing")
    prefix: List[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run the server")
        prefix = ["runuser", "-u", "postgres", "--"]
    folder = tempfile.mkdtemp(prefix="runwrap-pg-")
    data = os.path.join(folder, "data")
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    env = dict(os.environ, LC_ALL="C")
    try:
        subprocess.run(prefix + [f"{bin_dir}/initdb", "-D", data, "-U", "runwrap",
                                 "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True, env=env, timeout=120)
        subprocess.run(prefix + [f"{bin_dir}/pg_ctl", "-D", data, "-l",
                                 os.path.join(folder, "log"), "-w", "-t", "60", "-o",
                                 f"-p {port} -k {folder} -c listen_addresses=127.0.0.1",
                                 "start"], check=True, capture_output=True, env=env,
                       timeout=120)
        yield f"postgresql://runwrap:secret@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
                       capture_output=True, env=env, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)
