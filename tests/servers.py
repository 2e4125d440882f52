"""Real processes for tests: ``flask init``, gunicorn serving ``wsgi:app``, ``flask scheduler``.

Each process gets its settings through ``WELLNESS_*`` variables, as on a real box, and writes its
output to a file the test can search afterwards (for 5xx lines and leaked content).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Fast password and receipt hashing: the load is on the app, not on Argon2's memory cost.
FAST_ENV = {
    "WELLNESS_ARGON2_TIME_COST": "1",
    "WELLNESS_ARGON2_MEMORY_KIB": "1024",
    "WELLNESS_ARGON2_PARALLELISM": "1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELLNESS_")}
    env.update(FAST_ENV)
    env["WELLNESS_INSTANCE_PATH"] = str(instance)
    env["WELLNESS_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def flask(args: list[str], env: dict[str, str], timeout: float = 120) -> str:
    done = subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "wellness", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout


@dataclass
class Process:
    proc: subprocess.Popen
    log: Path
    url: str = ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def start_gunicorn(env: dict[str, str], log: Path, workers: int = 2, threads: int = 1) -> Process:
    """gunicorn on a free port, with the access log format of ``make run`` (no addresses)."""
    port = free_port()
    cmd = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--access-logformat",
        "%(m)s %(U)s %(s)s %(L)ss",
        "wsgi:app",
    ]
    server = Process(_spawn(cmd, env, log), log, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(server.url + "/crisis", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop(signal.SIGKILL)
    raise RuntimeError(f"gunicorn did not answer in 60 s:\n{server.log_text()}")


def start_scheduler(env: dict[str, str], log: Path) -> Process:
    cmd = [str(BIN / "flask"), "--app", "wellness", "scheduler"]
    return Process(_spawn(cmd, env, log), log)
