"""Checks of the operator's settings that need the machine: the folders the app writes to and the port it listens
on. Each returns None when all is well, else one plain sentence for the start-up error line (exit status 2), so a
mistake shows at start rather than as a traceback, or as a failure after a user's model ran."""

from __future__ import annotations

import errno
import os
import socket
import tempfile
from pathlib import Path


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def writable_folder_problem(path: str | os.PathLike, what: str) -> str | None:
    """``path`` must be a folder (made if missing) in which a file can be written."""
    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        return f"{what} {folder} is not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        return f"{what} {folder} cannot be written to ({_reason(exc)})"
    return None


def writable_file_problem(path: str | os.PathLike, what: str) -> str | None:
    """``path`` must be a file (made if missing, with its folder) that can be appended to."""
    file = Path(path).expanduser()
    if file.is_dir():
        return f"{what} {file} is a folder; give a file name, e.g. {file / 'audit.log'}"
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with open(file, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        return f"{what} {file} cannot be written to ({_reason(exc)})"
    return None


def port_problem(host: str, port: int) -> str | None:
    """The address must be free to listen on (checked as gradio checks it, with SO_REUSEADDR)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"--host {host!r} is not an address of this machine ({_reason(exc)})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return (f"port {port} on {host} is already in use (another server?); choose another with --port "
                        "or DEMO_PORT")
            return f"cannot listen on {host}:{port} ({_reason(exc)}); choose another --host or --port"
    return None


def served_folder_problem(path: str | os.PathLike, what: str) -> str | None:
    """A folder whose files the app hands to browsers must be one of its own: never a filesystem root, the home
    folder, or a folder that holds the app (every file in it becomes downloadable)."""
    folder = Path(path).expanduser().resolve()
    here = Path.cwd().resolve()
    if folder == Path(folder.anchor) or folder == Path.home().resolve() or here.is_relative_to(folder):
        return (f"{what} {folder} would let browsers download every file in it; use a folder of its own, "
                "e.g. /var/tmp/demo-suite-generated")
    return writable_folder_problem(folder, what)
