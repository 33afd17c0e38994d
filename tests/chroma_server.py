"""A real Chroma server for tests: `chroma run` (from the chromadb package) on a free loopback port.

Import the fixture into a test module (`from chroma_server import chroma_server  # noqa: F401`).
Each importing module gets its own server and its own empty store, started once and stopped after
the module's last test (it is a session-scoped fixture per importing module), so tests of one
module never see another module's videos.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_exe() -> str:
    """The `chroma` CLI of the running interpreter's environment (the venv), else the one on PATH."""
    here = Path(sys.executable).with_name("chroma")
    if here.is_file():
        return str(here)
    found = shutil.which("chroma")
    if not found:
        pytest.fail("the `chroma` command (from the chromadb package) is not installed")
    return found


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    """Poll `url` until it answers 200; fail with the server's log if it exits or time runs out."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with code {proc.returncode} before answering {url}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception as e:  # refused while it starts
            last = f"{type(e).__name__}: {e}"
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s ({last}):\n{tail}")


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


@contextlib.contextmanager
def run_chroma(path: Path, port: int | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Start `chroma run --path PATH --host 127.0.0.1 --port PORT`; yield its URL; stop it."""
    port = port or free_port()
    path.mkdir(parents=True, exist_ok=True)
    log = path.parent / f"chroma-{port}.log"
    with log.open("wb") as logf:
        proc = subprocess.Popen([chroma_exe(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                                stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(f"{url}/api/v2/heartbeat", timeout, proc, log)
            yield url
        finally:
            stop(proc)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> Iterator[str]:
    """URL (http://127.0.0.1:PORT) of a Chroma server with an empty store of its own."""
    with run_chroma(tmp_path_factory.mktemp("chroma-server") / "data") as url:
        yield url
