"""One table of jobs (wellness/jobs.py): the scheduler and `flask run-jobs` run the same jobs,
so an install that runs `run-jobs` from cron instead of the long-running scheduler releases
figures, destroys closed cases, checks the access log and the keys, and rewrites the row
versions too, once a day (issue 24); each failing job is rolled back and logged alone."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from tests.factories import make_case, make_user, reader, self_referral
from wellness import jobs, scheduler
from wellness.accounts.models import Role
from wellness.audit import service as audit
from wellness.cases import lifecycle
from wellness.cases.models import Case
from wellness.extensions import db
from wellness.statistics.models import Release
from wellness.timeutil import frozen_at, utcnow


def checkpoint_lines() -> int:
    with open(audit.checkpoint_path()) as handle:
        return len(handle.read().splitlines())


def test_run_jobs_runs_every_job_the_scheduler_runs(app, ctx):
    runner = app.test_cli_runner()
    output = runner.invoke(args=["run-jobs"]).output
    for job in (*jobs.FREQUENT, *jobs.DAILY):
        assert f"{job.label}:" in output, job.name
    assert {j.name for j in jobs.FREQUENT} | {j.name for j in jobs.DAILY} <= set(jobs.NAMES)
    counts = scheduler.tick(app)
    assert set(counts) == {job.label for job in jobs.FREQUENT}


def test_a_cron_install_releases_figures_destroys_closed_cases_and_checks_the_log(app, ctx):
    officer, counselor = make_user("jordan"), make_user("kelly", Role.COUNSELOR)
    last_month = utcnow().replace(day=1) - timedelta(days=3)
    with frozen_at(last_month):
        for _ in range(3):
            self_referral(officer)
    old = make_case(officer, counselor)
    with frozen_at(utcnow() - timedelta(days=int(app.config["RETENTION_DAYS"]) + 2)):
        lifecycle.close(old.id, reader(counselor), "resolved", "", None)
    old_id, lines = old.id, checkpoint_lines()
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.scalar(select(Release.id)) is not None  # committed, not just made
    assert db.session.get(Case, old_id) is None
    assert checkpoint_lines() == lines + 1
    # Run again the same day (cron every minute): the daily jobs do not run twice.
    again = app.test_cli_runner().invoke(args=["run-jobs"]).output
    assert "periods released" not in again
    assert checkpoint_lines() == lines + 1
    # The scheduler's daily pass that day finds it done as well.
    assert scheduler.daily(app) == {}


def test_one_failing_job_is_rolled_back_and_logged_and_stops_none(app, ctx, caplog, monkeypatch):
    def broken(app, now):  # type: ignore[no-untyped-def]
        db.session.add(Release(period="MARKER", epsilon=1.0, figures={}))
        raise RuntimeError("MARKER secret text")

    failing = jobs.Job("broken", "broken", broken)
    monkeypatch.setattr(jobs, "DAILY", (failing, *jobs.DAILY))
    with caplog.at_level(logging.ERROR):
        counts = jobs.run_daily_once(app, utcnow())
    assert counts["broken"] == -1
    assert counts["access log problems"] == 0  # the others ran
    assert "job broken failed: builtins.RuntimeError" in caplog.text
    assert "MARKER" not in caplog.text
    db.session.remove()
    assert db.session.scalar(select(Release.id).where(Release.period == "MARKER")) is None
