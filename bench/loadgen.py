"""The load generator: a separate process, asyncio, plain HTTP/1.1 over loopback.

    python bench/loadgen.py SCENARIO BASE_URL SECONDS CONCURRENCY [extra JSON]

prints one JSON line: {"requests", "errors", "statuses", "seconds", "rps", "p50_ms", "p95_ms"}.
It uses no third-party package, so that what it costs is small and known. Each virtual user
keeps its own cookies; a new connection per request (gunicorn's sync workers close them anyway).

Scenarios:
  bare       GET /healthz
  anonymous  GET /help/anonymous once per user (session and CSRF token), then POST referrals
  page       GET extra["paths"] in turn, as the signed-in user whose cookie is extra["cookie"]
  login      POST /login with extra["username"] / extra["password"] (one attempt per user)
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import sys
import time
import urllib.parse

TOKEN = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


class User:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            head += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await reader.read()
        writer.close()
        header, _, payload = raw.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        if b"transfer-encoding: chunked" in header.lower():
            payload = _unchunk(payload)
        return status, payload


def _unchunk(data: bytes) -> bytes:
    out, rest = b"", data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2 :]
    return out


async def run(scenario: str, base: str, seconds: float, concurrency: int, extra: dict) -> dict:
    url = urllib.parse.urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    deadline = 0.0

    async def one(user: User, method: str, path: str, form: dict | None, ok: int = 200) -> None:
        nonlocal errors
        start = time.perf_counter()
        try:
            status, _ = await user.request(method, path, form)
        except OSError:
            errors += 1
            return
        latencies.append(time.perf_counter() - start)
        statuses[status] = statuses.get(status, 0) + 1
        if status != ok:
            errors += 1

    async def virtual_user(n: int) -> None:
        user = User(host, port)
        if scenario == "bare":
            await started.wait()
            while time.perf_counter() < deadline:
                await one(user, "GET", "/healthz", None)
        elif scenario == "anonymous":
            _, page = await user.request("GET", "/help/anonymous")
            token = TOKEN.search(page).group(1).decode()  # type: ignore[union-attr]
            form = {"csrf_token": token, "urgency": "routine", "unit": "0", "text": "bench " * 40}
            await started.wait()
            while time.perf_counter() < deadline:
                await one(user, "POST", "/help/anonymous", form, ok=302)  # then its sent page
        elif scenario == "page":
            user.cookies.update(extra["cookie"])
            paths = extra["paths"]
            i = n
            await started.wait()
            while time.perf_counter() < deadline:
                await one(user, "GET", paths[i % len(paths)], None)
                i += 1
        elif scenario == "login":
            _, page = await user.request("GET", "/login")
            token = TOKEN.search(page).group(1).decode()  # type: ignore[union-attr]
            form = {
                "csrf_token": token,
                "username": extra["username"],
                "password": extra["password"],
            }
            await started.wait()
            await one(user, "POST", "/login", form, ok=302)
        else:
            raise SystemExit(f"unknown scenario {scenario}")

    started = asyncio.Event()
    deadline = time.perf_counter() + 3600
    tasks = [asyncio.create_task(virtual_user(n)) for n in range(concurrency)]
    await asyncio.sleep(0.5)  # users that need a form page fetch it first
    t0 = time.perf_counter()
    deadline = t0 + seconds
    started.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "statuses": statuses,
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1) if latencies else None,
    }


def main() -> None:
    scenario, base, seconds, concurrency = sys.argv[1:5]
    extra = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    result = asyncio.run(run(scenario, base, float(seconds), int(concurrency), extra))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
