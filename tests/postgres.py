"""A throwaway PostgreSQL 15 server for the test run, on 127.0.0.1 in a temp directory.

``initdb`` and ``pg_ctl`` refuse to run as root, so when the suite runs as root the server runs
as an unprivileged user (``postgres`` if it exists, else one created for the purpose).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVICE_USER = "postgres"
FALLBACK_USER = "tandem-pg"


def find_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in (SERVICE_USER, FALLBACK_USER):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    subprocess.run(["useradd", "--system", "--no-create-home", FALLBACK_USER], check=True)
    return FALLBACK_USER


@contextmanager
def running_server() -> Iterator[str]:
    """Start a server; yield a SQLAlchemy URL of its maintenance database; stop it after."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise FileNotFoundError("initdb/pg_ctl not found (install postgresql-15)")
    user = _run_as()
    base = Path(tempfile.mkdtemp(prefix="tandem-pg-"))
    if user is not None:
        shutil.chown(base, user=user)
    data, port = base / "data", _free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(
        [initdb, "-D", str(data), "-U", "tandem", "--auth=trust", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
        user=user,
        env=env,
    )
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    )
    subprocess.run(
        [pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"],
        check=True,
        capture_output=True,
        user=user,
        env=env,
    )
    try:
        yield f"postgresql+psycopg://tandem@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            user=user,
            env=env,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)
