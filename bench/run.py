"""`make bench`: gunicorn (2 workers) on SQLite and on PostgreSQL, load from a separate process.

Prints one table and writes it to bench/results.md. For each database:
  1. anonymous self-referral: submissions/s, p50/p95, beside GET /healthz in the same server/run
  2. share of a submission's server time spent in cryptography (cProfile, in process)
  3. counselor dashboard and case page p95 with 100 and with 100,000 cases; SQL per request
  4. check-in dispatch over 100,000 due rows, one and two dispatcher processes
  5. sign-in time at the production Argon2id cost, and memory (RSS) per worker
Everything runs at the production cost settings, except the seeded bulk accounts (their
password hashes are never checked here). Scratch data lives in bench/out/; a PostgreSQL
database wellness_bench_<pid> is created and dropped.

    .venv/bin/python bench/run.py [--quick] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import pyotp  # noqa: E402
from sqlalchemy import event, func, insert, select, update  # noqa: E402

from tests.servers import flask, start_gunicorn  # noqa: E402
from wellness import create_app  # noqa: E402

OUT = ROOT / "bench" / "out"
PG_SERVER = os.environ.get("WELLNESS_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
PASSWORD = "bench-password-2026"  # noqa: S105  (scratch accounts)
FAST = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 1024, "ARGON2_PARALLELISM": 1}
COUNSELORS = 200
MY_CASES = 10
SMALL, LARGE = 100, 100_000
DUE = 100_000
OPEN_OTHERS = 5 * COUNSELORS


# --- set-up -----------------------------------------------------------------------------------


def database_for(backend: str, work: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / 'bench.db'}"
    name = f"wellness_bench_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(f"{PG_SERVER}/test", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def env_for(instance: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELLNESS_")}
    env["WELLNESS_INSTANCE_PATH"] = str(instance)
    env["WELLNESS_DATABASE_URL"] = url
    return env


def app_for(instance: Path, url: str, **overrides: object):  # type: ignore[no-untyped-def]
    return create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url, **overrides})


def seed_people(app) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Units, 200 counselors, officers; the measured counselor with an authenticator."""
    from wellness.accounts import service as accounts
    from wellness.accounts.models import CounselorProfile, Role, User
    from wellness.agency import service as agency
    from wellness.cases import service as cases
    from wellness.cases.service import Reader
    from wellness.extensions import db
    from wellness.keys import service as keys

    with app.app_context():
        root = agency.save_unit(None, "Agency", None, None)
        units = [agency.save_unit(None, f"Unit {i:02d}", root.id, None) for i in range(20)]
        kelly = accounts.create_user("bench-kelly", "Kelly", PASSWORD, [Role.COUNSELOR])
        secret = pyotp.random_base32()
        accounts.set_totp_secret(kelly, secret)
        for i in range(COUNSELORS - 1):
            accounts.create_user(f"counselor{i:03d}", f"C{i}", PASSWORD, [Role.COUNSELOR])
        officer = accounts.create_user(
            "bench-jordan", "Jordan", PASSWORD, [Role.OFFICER], unit_id=units[0].id
        )
        accounts.set_email_address(officer, "jordan@example.org")
        db.session.commit()
        owner = Reader(officer, keys.unlock(officer, PASSWORD), as_owner=True)
        body = {
            "type": "self_referral",
            "named": True,
            "text": "I have not slept properly since the crash. " * 8,
            "topics": ["sleep", "critical incident"],
        }
        mine = [
            cases.create_case("self_referral", "routine", body, owner, [kelly])
            for _ in range(MY_CASES)
        ]
        for case in mine:
            case.assignee_id = kelly.id  # as routing would have done
        db.session.commit()
        counselor = Reader(kelly, keys.unlock(kelly, PASSWORD))
        page_case = mine[0]
        for n in range(6):
            cases.post_message(page_case.id, counselor if n % 2 else owner, "A reply. " * 20)
        cases.record_contact(page_case.id, counselor)
        from wellness.checkins import service as checkins
        from wellness.timeutil import utcnow

        checkins.schedule(
            page_case.id, counselor, [utcnow() + timedelta(days=d) for d in (1, 3, 7)]
        )
        db.session.commit()
        others = db.session.scalars(
            select(CounselorProfile.user_id).where(CounselorProfile.user_id != kelly.id)
        ).all()
        ids = {
            "kelly": kelly.id,
            "secret": secret,
            "officer": officer.id,
            "page_case": page_case.id,
            "others": list(others),
        }
        if db.session.get(User, kelly.id).counselor is None:
            raise SystemExit("the measured counselor has no counselor profile")
    return ids


def grow_cases(app, total: int, people: dict) -> None:  # type: ignore[no-untyped-def]
    """Add cases (with a key, two events and a check-in each) held by the other counselors,
    copying the measured counselor's first case as the template, until there are ``total``."""
    from wellness.cases.models import Case, CaseEvent, CaseKey
    from wellness.checkins.models import ANSWERED, CheckIn
    from wellness.extensions import db
    from wellness.timeutil import utcnow

    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Case))
        template = db.session.get(Case, people["page_case"])
        key = db.session.scalars(select(CaseKey).where(CaseKey.case_id == template.id)).first()
        others = people["others"]
        now = utcnow()
        batch = 5000
        for start in range(have, total, batch):
            n = min(batch, total - start)
            rows = [
                {
                    "kind": "self_referral",
                    # about 5 open cases per counselor; the rest are years of closed ones
                    "status": "active" if start + i < OPEN_OTHERS else "closed",
                    "urgency": "routine",
                    "assignee_id": others[(start + i) % len(others)],
                    "created_at": now - timedelta(minutes=start + i),
                    "routing_summary": "Routed to a counselor",
                    "content": template.content,
                }
                for i in range(n)
            ]
            ids = db.session.scalars(insert(Case).returning(Case.id), rows).all()
            db.session.execute(
                insert(CaseKey),
                [
                    {
                        "case_id": cid,
                        "holder": key.holder,
                        "user_id": others[(start + i) % len(others)],
                        "sealed_key": key.sealed_key,
                    }
                    for i, cid in enumerate(ids)
                ],
            )
            db.session.execute(
                insert(CaseEvent),
                [{"case_id": cid, "at": now, "kind": k} for cid in ids for k in ("routed", "seen")],
            )
            db.session.execute(
                insert(CheckIn),
                [
                    {
                        "case_id": cid,
                        "due_at": now - timedelta(days=30),
                        "status": ANSWERED,
                        "answered_at": now - timedelta(days=29),
                    }
                    for cid in ids
                ],
            )
            db.session.commit()


# --- measurements -----------------------------------------------------------------------------

_last_step = [0]


def fresh_totp(secret: str) -> str:
    """An authenticator code from a step not used before (each code is accepted only once)."""
    step = int(time.time()) // 30
    if step <= _last_step[0]:
        time.sleep((_last_step[0] + 1) * 30 - time.time() + 0.5)
        step = int(time.time()) // 30
    _last_step[0] = step
    return pyotp.TOTP(secret).at(step * 30)


def loadgen(
    scenario: str, base: str, seconds: float, users: int, extra: dict | None = None
) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "loadgen.py"), scenario, base, str(seconds)]
    cmd += [str(users), json.dumps(extra or {})]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def sign_in(base: str, username: str, secret: str | None) -> tuple[dict[str, str], float]:
    """Sign in over HTTP; returns the cookies and the seconds the password step took."""
    import http.cookiejar
    import re

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token_re = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def token(path: str) -> str:
        with opener.open(base + path) as r:
            return token_re.search(r.read().decode()).group(1)  # type: ignore[union-attr]

    form = {"csrf_token": token("/login"), "username": username, "password": PASSWORD}
    start = time.perf_counter()
    with opener.open(base + "/login", urllib.parse.urlencode(form).encode()) as r:
        r.read()
    took = time.perf_counter() - start
    if secret:
        form = {"csrf_token": token("/login/verify"), "code": fresh_totp(secret)}
        with opener.open(base + "/login/verify", urllib.parse.urlencode(form).encode()) as r:
            r.read()
    return {c.name: c.value for c in jar}, took


def statements_per_request(app, people: dict) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """SQL statements one dashboard and one case page cost, counted in process."""
    from wellness.extensions import db

    client = app.test_client()
    with app.app_context():
        engine = db.engine
    # Sign in through the real pages: password, then the authenticator code.
    import re

    token_re = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def token(path: str) -> str:
        return token_re.search(client.get(path).get_data(as_text=True)).group(1)  # type: ignore[union-attr]

    client.post(
        "/login",
        data={"csrf_token": token("/login"), "username": "bench-kelly", "password": PASSWORD},
    )
    client.post(
        "/login/verify",
        data={"csrf_token": token("/login/verify"), "code": fresh_totp(people["secret"])},
    )
    counts = {}
    for label, path in (("dashboard", "/cases/"), ("case page", f"/cases/{people['page_case']}")):
        seen: list[str] = []

        def listener(conn, cursor, statement, *args, seen=seen):  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        counts[label] = len(seen)
    return counts


CRYPTO_FILES = ("/wellness/crypto/", "/wellness/keyring.py", "/cryptography/", "/argon2/")


def crypto_share(app, submissions: int = 30) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """cProfile of whole anonymous submissions (request to response, in process): the share of
    time inside cryptography (our crypto modules, cryptography, argon2) beside the rest."""
    import re

    client = app.test_client()
    page = client.get("/help/anonymous").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "urgency": "routine", "unit": "0", "text": "bench " * 40}
    client.post("/help/anonymous", data=form)  # warm
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(submissions):
        client.post("/help/anonymous", data=form)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt

    def is_crypto(func: tuple) -> bool:
        filename, _, name = func
        if filename == "~":  # C functions: the ones cryptography and argon2 call into
            return any(k in name for k in ("_argon2", "_rust", "openssl", "hazmat"))
        return any(part in filename for part in CRYPTO_FILES)

    crypto = 0.0
    kdf = 0.0
    for where, (_, _, _tt, _ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if not is_crypto(where):
            continue
        if where[0].endswith("crypto/kdf.py") and where[2] == "derive_key":
            kdf += _ct  # the receipt code's key derivation, wherever it was called from
        # time entering crypto from outside it (cumulative, so nested calls count once)
        for caller, (_, _, _, caller_ct) in callers.items():
            if not is_crypto(caller):
                crypto += caller_ct
    per = total / submissions
    return {
        "per_submission_ms": per * 1000,
        "crypto_share": crypto / total,
        "kdf_share": kdf / total,
    }


def worker_rss_mib(master_pid: int) -> list[float]:
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes)


def dispatch_rate(env: dict[str, str], app, people: dict, processes: int) -> dict:  # type: ignore[no-untyped-def]
    """Seed DUE due check-ins, then time ``processes`` dispatchers started together."""
    from wellness.checkins.models import CheckIn
    from wellness.crypto.fields import CHECKIN_NOTIFY
    from wellness.extensions import db
    from wellness.keyring import encrypt_field
    from wellness.timeutil import utcnow

    with app.app_context():
        db.session.execute(update(CheckIn).where(CheckIn.status == "scheduled").values(status="x"))
        past = utcnow() - timedelta(minutes=5)
        case_ids = db.session.scalars(select(CheckIn.case_id).limit(1)).all() or [
            people["page_case"]
        ]
        for start in range(0, DUE, 10_000):
            ids = db.session.scalars(
                insert(CheckIn).returning(CheckIn.id),
                [
                    {"case_id": case_ids[0], "due_at": past - timedelta(seconds=start + i)}
                    for i in range(10_000)
                ],
            ).all()
            # A third are named officers' check-ins: they also queue a content-free e-mail.
            db.session.execute(
                update(CheckIn),
                [
                    {
                        "id": cid,
                        "notify_token": encrypt_field(
                            CHECKIN_NOTIFY, cid, str(people["officer"]).encode()
                        ),
                    }
                    for cid in ids[::3]
                ],
            )
            db.session.commit()
    go = time.time() + 3
    procs = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, str(ROOT / "bench" / "dispatcher.py"), str(go)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    results = [json.loads(p.communicate(timeout=900)[0].strip().splitlines()[-1]) for p in procs]
    sent = sum(r["sent"] for r in results)
    elapsed = max(r["end"] for r in results) - go
    return {"sent": sent, "seconds": elapsed, "per_second": sent / elapsed}


# --- one database -----------------------------------------------------------------------------


def bench_backend(backend: str, quick: bool) -> dict:
    work = OUT / backend
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    instance = work / "instance"
    url = database_for(backend, work)
    env = env_for(instance, url)
    result: dict = {"backend": backend}
    seconds = 5 if quick else 15
    try:
        flask(["init"], env)
        fast_app = app_for(instance, url, **FAST)
        people = seed_people(fast_app)
        grow_cases(fast_app, SMALL, people)
        app = app_for(instance, url)  # production settings from here on

        result["statements_small"] = statements_per_request(app, people)
        server = start_gunicorn(env, work / "gunicorn.log", workers=2)
        try:
            cookies, _ = sign_in(server.url, "bench-kelly", people["secret"])
            pages = {"dashboard": ["/cases/"], "case page": [f"/cases/{people['page_case']}"]}
            result["pages_small"] = {
                k: loadgen("page", server.url, seconds, 4, {"cookie": cookies, "paths": p})
                for k, p in pages.items()
            }
        finally:
            server.stop()

        grow_cases(fast_app, SMALL if quick else LARGE, people)
        result["cases_large"] = SMALL if quick else LARGE
        result["statements_large"] = statements_per_request(app, people)
        server = start_gunicorn(env, work / "gunicorn.log", workers=2)
        try:
            cookies, _ = sign_in(server.url, "bench-kelly", people["secret"])
            result["pages_large"] = {
                k: loadgen("page", server.url, seconds, 4, {"cookie": cookies, "paths": p})
                for k, p in pages.items()
            }
            result["bare"] = loadgen("bare", server.url, seconds, 8)
            result["anonymous"] = loadgen("anonymous", server.url, seconds, 8)
            logins = [sign_in(server.url, "bench-jordan", None)[1] for _ in range(5)]
            result["login_ms"] = sorted(logins)[2] * 1000
            result["rss_mib"] = worker_rss_mib(server.proc.pid)
            log = server.log_text()
            result["server_errors"] = sum(
                1
                for line in log.splitlines()
                if line.split(" ")[-2:-1] and line.split(" ")[-2][:1] == "5"
            )
        finally:
            server.stop()
        result["profile"] = crypto_share(app, 10 if quick else 30)
        global DUE
        if quick:
            DUE = 10_000
        result["dispatch_1"] = dispatch_rate(env, app, people, 1)
        result["dispatch_2"] = dispatch_rate(env, app, people, 2)
        result["due"] = DUE
        with app.app_context():
            from wellness.extensions import db

            db.engine.dispose()
        with fast_app.app_context():
            from wellness.extensions import db

            db.engine.dispose()
    finally:
        drop_database(url)
    return result


# --- the table --------------------------------------------------------------------------------


def _growth(small: float, large: float) -> str:
    return f"{small} → {large} (×{large / small:.2f})"


def table(results: list[dict]) -> str:
    rows = []

    def add(what: str, target: str, values: list[str]) -> None:
        rows.append(f"| {what} | " + " | ".join(values) + f" | {target} |")

    by = {r["backend"]: r for r in results}
    names = [b for b in ("sqlite", "postgresql") if b in by]
    rows.append("| Figure | " + " | ".join(names) + " | Target |")
    rows.append("|---|" + "---|" * len(names) + "---|")
    for label, key in (("Anonymous referral", "anonymous"), ("Bare route /healthz", "bare")):
        add(
            f"{label}: requests/s (p50 / p95 ms)",
            "",
            [
                f"{by[n][key]['rps']:.0f}/s ({by[n][key]['p50_ms']} / {by[n][key]['p95_ms']})"
                for n in names
            ],
        )
    add(
        "1. Referral throughput ÷ bare route",
        "≥ 0.5",
        [f"{by[n]['anonymous']['rps'] / by[n]['bare']['rps']:.3f}" for n in names],
    )
    add(
        "2. Server time per submission in cryptography (of which the receipt KDF)",
        "≤ 25 %",
        [
            f"{by[n]['profile']['crypto_share']:.0%} ({by[n]['profile']['kdf_share']:.0%}) "
            f"of {by[n]['profile']['per_submission_ms']:.0f} ms"
            for n in names
        ],
    )
    for page in ("dashboard", "case page"):
        add(
            f"3. Counselor {page} p95, {SMALL} → {by[names[0]]['cases_large']:,} cases (ms)",
            "ratio ≤ 1.5",
            [
                _growth(by[n]["pages_small"][page]["p95_ms"], by[n]["pages_large"][page]["p95_ms"])
                for n in names
            ],
        )
        add(
            f"3. SQL statements per {page}, {SMALL} → {by[names[0]]['cases_large']:,} cases",
            "constant",
            [
                f"{by[n]['statements_small'][page]} → {by[n]['statements_large'][page]}"
                for n in names
            ],
        )
    for k, label in (("dispatch_1", "one dispatcher"), ("dispatch_2", "two dispatchers")):
        add(
            f"4. Check-in dispatch over {by[names[0]]['due']:,} due, {label}",
            "≥ 2,000/s (PostgreSQL, one); two faster",
            [f"{by[n][k]['per_second']:,.0f}/s ({by[n][k]['seconds']:.1f} s)" for n in names],
        )
    add(
        "5. Sign-in, password step (Argon2id 64 MiB, t=3), median of 5",
        "deliberately slow",
        [f"{by[n]['login_ms']:.0f} ms" for n in names],
    )
    add(
        "5. Memory per gunicorn worker (RSS after the run)",
        "",
        [" / ".join(f"{m:.0f} MiB" for m in by[n]["rss_mib"]) for n in names],
    )
    add(
        "5xx responses in the server log",
        "0",
        [str(by[n]["server_errors"]) for n in names],
    )
    return "\n".join(rows)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError):
        pass
    pg = subprocess.run(  # noqa: S603
        ["psql", f"{PG_SERVER}/test", "-tAc", "SHOW server_version"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}){mem}; Python {platform.python_version()}; "
        f"PostgreSQL {pg or '?'}; SQLite {__import__('sqlite3').sqlite_version}; "
        f"gunicorn 2 sync workers; load from bench/loadgen.py in a separate process"
    )


def main() -> None:
    import sealing  # bench/ is on the path when run as a script

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    backends = [args.only] if args.only else ["sqlite", "postgresql"]
    results = []
    for backend in backends:
        print(f"benchmarking {backend} ...", flush=True)
        results.append(bench_backend(backend, args.quick))
        (OUT / f"{backend}.json").write_text(json.dumps(results[-1], indent=2))
    text = table(results)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report = f"# Benchmark results\n\n{when}. {machine()}.\n\n{text}\n\n{sealing.section()}"
    if args.quick:
        report += "\n(--quick: small sizes and short runs; not the figures to quote.)\n"
    print("\n" + report)
    (ROOT / "bench" / ("results.md" if not args.quick else "out/results-quick.md")).write_text(
        report
    )


if __name__ == "__main__":
    main()
