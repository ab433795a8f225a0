"""Start the app in a subprocess on a free port, for tests that talk to it over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

from tests.conftest import ROOT


def users_file(folder, users: dict[str, str]):
    """A ``--auth-file`` in ``folder`` with one ``user:password`` line per user."""
    path = folder / "users.txt"
    path.write_text("".join(f"{user}:{password}\n" for user, password in users.items()))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(*args: str, timeout: float = 300, env: dict | None = None, hooks: list[str] | None = None):
    """Yields the app's URL once it answers; stops it afterwards. ``env`` adds environment variables; ``hooks``
    names test hooks to install in the app's process first (``tests.hooks.HOOKS``). ``timeout`` is an upper
    bound on the start."""
    port = free_port()
    env = {**os.environ, "DEMO_LOG_LEVEL": "WARNING", **(env or {})}
    command = ["-m", "tests.hooks", ",".join(hooks), "--"] if hooks else ["app.py"]
    process = subprocess.Popen([sys.executable, *command, "--profile", "tiny", "--port", str(port), *args],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + timeout
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"app exited early:\n{process.stdout.read()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"app did not answer within {timeout} s") from None
                time.sleep(0.3)
        yield url
    finally:
        stop(process)


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Ask a server process to end; kill it if it has not after ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
