"""Quick figures for the core paths on the machine's PostgreSQL: sign-in, a referral, dispatch.

Run: .venv/bin/python bench/core_figures.py   (PostgreSQL on 127.0.0.1:5432, database test)
Single-process timings at the production Argon2 cost; the load benchmark (make bench) is
separate work. A scratch database is created and dropped.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from datetime import timedelta

import psycopg
from sqlalchemy import func, select

from wellness import create_app
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.cases.models import Case
from wellness.cases.service import Reader
from wellness.checkins import jobs
from wellness.checkins.models import CheckIn
from wellness.crypto.fields import CHECKIN_NOTIFY
from wellness.extensions import db
from wellness.keyring import encrypt_field
from wellness.keys import service as keys
from wellness.referrals import service as referrals
from wellness.referrals.service import SelfReferral
from wellness.timeutil import utcnow

SERVER = "postgresql://postgres@127.0.0.1:5432"
PASSWORD = "correct horse battery"  # noqa: S105  (a scratch account)


def timed(label: str, action, count: int = 1):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(count):
        result = action()
    each = (time.perf_counter() - start) / count
    print(f"{label:<58} {each * 1000:9.1f} ms" + (f"  (mean of {count})" if count > 1 else ""))
    return result


def figures() -> None:
    user = timed(
        "create an account (Argon2id 64 MiB t=3, keypair)",
        lambda: accounts.create_user("jordan", "J", PASSWORD, [Role.OFFICER]),
    )
    timed(
        "sign in (password check + key unwrap)",
        lambda: accounts.sign_in("jordan", PASSWORD, accounts.login_policy()),
    )
    accounts.create_user("kelly", "K", PASSWORD, [Role.COUNSELOR])
    owner = Reader(user, keys.unlock(user, PASSWORD), as_owner=True)
    referral = SelfReferral(["stress"], "text", "routine")
    timed(
        "named self-referral (route, encrypt, seal, index)",
        lambda: referrals.submit_self_referral(referral, owner),
        count=20,
    )
    case_id = db.session.scalar(select(func.min(Case.id)))
    due, count = utcnow() - timedelta(minutes=1), 10_000
    rows = [CheckIn(case_id=case_id, due_at=due - timedelta(seconds=i)) for i in range(count)]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        row.notify_token = encrypt_field(CHECKIN_NOTIFY, row.id, str(user.id).encode())
    db.session.commit()
    start = time.perf_counter()
    sent = jobs.dispatch_due_checkins(utcnow(), batch=500)
    elapsed = time.perf_counter() - start
    print(
        f"dispatch {sent} due check-ins, one dispatcher: {elapsed:.2f} s = {sent / elapsed:.0f}/s"
    )


def main() -> None:
    name = "wellness_bench_" + secrets.token_hex(3)
    with psycopg.connect(f"{SERVER}/test", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    instance = tempfile.mkdtemp()
    app = create_app(
        {"INSTANCE_PATH": instance, "DATABASE_URL": f"{SERVER}/{name}", "SECRET_KEY": "bench"}
    )
    try:
        with app.app_context():
            db.create_all()
            keys.initialise_instance()
            keys.create_recovery_key()
            figures()
    finally:
        with app.app_context():
            db.engine.dispose()
        with psycopg.connect(f"{SERVER}/test", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
