"""Exactly once: two dispatchers at once, and a dispatcher or the scheduler killed mid-run
(PostgreSQL)."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import make_user, self_referral
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.checkins import jobs
from wellness.checkins.models import CheckIn, Outbox
from wellness.crypto.fields import CHECKIN_NOTIFY
from wellness.extensions import db
from wellness.keyring import encrypt_field
from wellness.timeutil import utcnow

DUE = 1000


@pytest.fixture
def due_checkins(app, ctx, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrency is proven on PostgreSQL")
    officer = make_user("jordan", Role.OFFICER)
    accounts.set_email_address(officer, "jordan@example.org")
    make_user("kelly", Role.COUNSELOR)
    db.session.commit()
    case, _ = self_referral(officer)
    past = utcnow() - timedelta(minutes=5)
    rows = [CheckIn(case_id=case.id, due_at=past - timedelta(seconds=i)) for i in range(DUE)]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        row.notify_token = encrypt_field(CHECKIN_NOTIFY, row.id, str(officer.id).encode())
    db.session.commit()
    return case


def counts():
    db.session.expire_all()
    sent = db.session.scalar(
        select(func.count()).select_from(CheckIn).where(CheckIn.status == "sent")
    )
    return sent, db.session.scalar(select(func.count()).select_from(Outbox))


def test_two_dispatchers_at_once_send_each_check_in_exactly_once(app, due_checkins):
    results, barrier = [], threading.Barrier(2)

    def dispatcher():
        with app.app_context():
            barrier.wait()
            results.append(jobs.dispatch_due_checkins(utcnow(), batch=25))
            db.session.remove()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(results) == DUE
    assert all(r > 0 for r in results), results  # both did share the work
    assert counts() == (DUE, DUE)  # each sent once, each announced once


def _dispatcher(app, database_url, pause):
    env = {
        **os.environ,
        "WELLNESS_INSTANCE_PATH": app.instance_path,
        "WELLNESS_DATABASE_URL": database_url,
        "WELLNESS_SECRET_KEY": '"test"',
        "WELLNESS_DISPATCH_PAUSE_SECONDS": str(pause),
    }
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wellness",
            "run-jobs",
            "--only",
            "dispatch",
            "--batch",
            "25",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_dispatcher_killed_mid_run_loses_nothing_and_repeats_nothing(
    app, due_checkins, database_url
):
    first = _dispatcher(app, database_url, pause=0.05)
    deadline = time.monotonic() + 60
    while counts()[0] < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=10)
    sent, announced = counts()
    assert 0 < sent < DUE, "the kill should land mid-run"
    assert announced == sent
    second = _dispatcher(app, database_url, pause=0)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err.decode()
    assert counts() == (DUE, DUE)
    assert f"dispatched: {DUE - sent}" in out.decode()


@pytest.mark.slow
def test_the_scheduler_killed_mid_dispatch_and_restarted_sends_everything_exactly_once(
    app, due_checkins, database_url, tmp_path
):
    """The long-running `flask scheduler` itself, SIGKILLed in the middle of a dispatch."""
    from tests.servers import app_env, start_scheduler

    env = app_env(
        Path(app.instance_path),
        database_url,
        WELLNESS_SCHEDULER_INTERVAL_SECONDS="1",
        WELLNESS_DISPATCH_BATCH="25",
        WELLNESS_DISPATCH_PAUSE_SECONDS="0.05",
    )
    first = start_scheduler(env, tmp_path / "first.log")
    deadline = time.monotonic() + 60
    while counts()[0] < 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.stop(signal.SIGKILL)
    sent, announced = counts()
    assert 0 < sent < DUE, "the kill should land mid-dispatch"
    assert announced == sent  # each claimed check-in committed with its e-mail, or neither

    env["WELLNESS_DISPATCH_PAUSE_SECONDS"] = "0"
    second = start_scheduler(env, tmp_path / "second.log")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            db.session.expire_all()
            done = counts()[0] == DUE and not db.session.scalar(
                select(func.count()).select_from(Outbox)
            )
            if done:
                break
            time.sleep(0.2)
    finally:
        second.stop()
    assert counts() == (DUE, 0)  # every check-in sent; every e-mail delivered (rows deleted)
    handed = [
        log.log_text().count("e-mail handed to the console backend") for log in (first, second)
    ]
    assert handed == [0, DUE]  # the first died before any e-mail; none was sent twice
