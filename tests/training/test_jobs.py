"""The unattended work: the day's bulletin published exactly once (two schedulers at once too),
and one reminder for an overdue acknowledgment; on SQLite and PostgreSQL."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from tests.factories import make_user
from wellness.accounts import service as accounts
from wellness.accounts.models import Role
from wellness.checkins.models import Outbox
from wellness.extensions import db
from wellness.jobs import run_named
from wellness.notifications import mail
from wellness.training import jobs, rules
from wellness.training import service as training
from wellness.training.models import Bulletin, PolicyReminder

MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SUNDAY_9 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


@pytest.fixture
def app_overrides():
    return {"TIMEZONE": "UTC", "BULLETIN_HOUR": 7, "POLICY_ACK_DAYS": 14}


@pytest.fixture
def members(app, ctx):
    people = [make_user(name, Role.OFFICER) for name in ("jordan", "sam", "dana")]
    people.append(make_user("kelly", Role.COUNSELOR))
    for person in people[:3]:
        accounts.set_email_address(person, f"{person.username}@example.org")
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    for person in people:
        person.created_at = long_ago
    training.seed(datetime(2026, 11, 1).date())
    db.session.commit()
    return people


def _published():
    db.session.expire_all()
    return db.session.execute(
        select(Bulletin.id, Bulletin.published_on)
        .where(Bulletin.published_on.is_not(None))
        .order_by(Bulletin.published_on)
    ).all()


def _outbox(prefix):
    return db.session.scalar(
        select(func.count()).select_from(Outbox).where(Outbox.kind.startswith(prefix))
    )


def test_nothing_goes_out_at_the_weekend_or_before_the_hour(app, members):
    assert jobs.publish_due(SUNDAY_9) == 0
    assert jobs.publish_due(MONDAY_9.replace(hour=6, minute=59)) == 0
    assert _published() == []
    assert _outbox("bulletin") == 0


def test_the_next_bulletin_goes_out_once_a_working_day_and_members_are_emailed(app, members):
    first, second = training.queued()[:2]
    first_id, second_id = first.id, second.id
    assert jobs.publish_due(MONDAY_9) == 1
    assert jobs.publish_due(MONDAY_9 + timedelta(hours=5)) == 0
    assert _published() == [(first_id, MONDAY_9.date())]
    assert _outbox(f"bulletin:{first_id}") == 3  # the three with an address
    assert jobs.publish_due(MONDAY_9 + timedelta(days=1)) == 1
    assert [row.id for row in _published()] == [first_id, second_id]


def test_the_email_carries_the_title_and_link(app, members):
    bulletin = training.queued()[0]
    title, bid = bulletin.title, bulletin.id
    jobs.publish_due(MONDAY_9)
    sent = []

    class Catch:
        def send(self, message):
            sent.append(message)

    mail.send_outbox(MONDAY_9, Catch())
    assert len(sent) == 3
    assert {m["Subject"] for m in sent} == {f"Today's training bulletin: {title}"}
    assert f"http://127.0.0.1:5000/training/bulletins/{bid}" in sent[0].get_content()
    assert {m["To"] for m in sent} == {"jordan@example.org", "sam@example.org", "dana@example.org"}


def test_an_empty_queue_publishes_nothing(app, members):
    for bulletin in training.queued():
        db.session.delete(bulletin)
    db.session.commit()
    assert jobs.publish_due(MONDAY_9) == 0


def test_an_overdue_acknowledgment_gets_one_reminder(app, members):
    version = training.current_policy()
    training.acknowledge(members[1].id, version, version.published_on)
    published = datetime.combine(version.published_on, datetime.min.time(), tzinfo=UTC)
    assert jobs.remind_overdue(published + timedelta(days=13)) == 0
    due = published + timedelta(days=14, hours=1)
    assert jobs.remind_overdue(due) == 3  # jordan, dana, kelly: not sam, who acknowledged
    assert jobs.remind_overdue(due + timedelta(days=3)) == 0
    assert _outbox("policy:1") == 2  # kelly gave no address: reminded in the app only
    sent = []

    class Catch:
        def send(self, message):
            sent.append(message)

    mail.send_outbox(due, Catch())
    assert {m["Subject"] for m in sent} == {"Please acknowledge the policy: Asking for help"}
    assert "/training/acknowledge" in sent[0].get_content()


def test_a_new_version_is_reminded_again_and_a_newcomer_only_after_their_own_days(app, members):
    first = training.current_policy()
    published = datetime.combine(first.published_on, datetime.min.time(), tzinfo=UTC)
    jobs.remind_overdue(published + timedelta(days=15))
    later = published + timedelta(days=30)
    training.publish_policy(
        rules.PolicyFields("Asking for help", "## v2", "v2"), None, later.date()
    )
    newcomer = make_user("newcomer", Role.OFFICER)
    newcomer.created_at = later + timedelta(days=10)
    db.session.commit()
    assert jobs.remind_overdue(later + timedelta(days=14, hours=1)) == 4  # not the newcomer
    assert jobs.remind_overdue(later + timedelta(days=24, hours=1)) == 1  # the newcomer now
    assert db.session.scalar(select(func.count()).select_from(PolicyReminder)) == 4 + 4 + 1


def _two_schedulers_at_once(app, job, when):
    results, errors, barrier = [], [], threading.Barrier(2)

    def scheduler():
        with app.app_context():
            barrier.wait()
            try:
                results.append(job(when))
            except DBAPIError as exc:  # SQLite: the loser may find the database locked
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.parametrize("attempt", range(3))
def test_two_schedulers_at_once_publish_one_bulletin_and_email_once(app, members, attempt):
    db.session.commit()
    results, errors = _two_schedulers_at_once(app, jobs.publish_due, MONDAY_9)
    # one published; the other found nothing to do (or, on SQLite, lost the race and failed)
    assert sum(results) == 1, (results, errors)
    assert len(results) + len(errors) == 2
    with app.app_context():
        assert len(_published()) == 1
        assert _outbox("bulletin") == 3


@pytest.mark.parametrize("attempt", range(3))
def test_two_schedulers_at_once_remind_each_member_once(app, members, attempt):
    version = training.current_policy()
    due = datetime.combine(version.published_on, datetime.min.time(), tzinfo=UTC) + timedelta(
        days=15
    )
    db.session.commit()
    results, errors = _two_schedulers_at_once(app, jobs.remind_overdue, due)
    assert sum(results) == 4, (results, errors)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PolicyReminder)) == 4
        assert _outbox("policy") == 3


def test_the_scheduler_runs_both_and_one_failing_stops_neither(app, members, monkeypatch):
    def broken(now):
        raise RuntimeError("planted")

    monkeypatch.setattr(jobs, "publish_due", broken)
    version = training.current_policy()
    due = datetime.combine(version.published_on, datetime.min.time(), tzinfo=UTC) + timedelta(
        days=15
    )
    counts = run_named("training", due)  # the one job table the scheduler runs
    assert counts == {"bulletins published": -1, "policy reminders": 4}


class Catch:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)


def test_a_day_of_bulletin_emails_never_holds_back_a_notice(app, members):
    from wellness.notifications import service as notifications

    jobs.publish_due(MONDAY_9)  # three training e-mails first in the outbox
    notifications.email_users([members[0].id], "crisis")  # then a crisis page
    db.session.commit()
    mailer = Catch()
    mail.send_outbox(MONDAY_9, mailer, batch=1)
    assert [m["Subject"] for m in mailer.sent] == [mail.SUBJECT]


def test_an_email_about_a_bulletin_that_is_gone_is_dropped_not_sent_as_a_notice(app, members):
    jobs.publish_due(MONDAY_9)
    db.session.execute(Bulletin.__table__.delete().where(Bulletin.published_on.is_not(None)))
    db.session.commit()
    mailer = Catch()
    assert mail.send_outbox(MONDAY_9, mailer) == 3
    assert mailer.sent == []
    assert _outbox("bulletin") == 0


def test_addresses_are_read_in_chunks_so_no_agency_is_too_large(app, members, monkeypatch):
    from tests.training.test_wall import statements
    from wellness.notifications import addresses

    monkeypatch.setattr(addresses, "CHUNK", 2)
    ids = [m.id for m in members]
    with statements() as seen:
        found = addresses.email_addresses(ids)
    assert sorted(found.values()) == ["dana@example.org", "jordan@example.org", "sam@example.org"]
    assert len(seen) == 2  # four ids, two at a time


def test_a_notice_arriving_while_bulletins_go_out_is_sent_before_the_rest(app, members):
    from wellness.notifications import service as notifications

    jobs.publish_due(MONDAY_9)
    db.session.commit()

    class ArrivesMidway(Catch):
        def send(self, message):
            super().send(message)
            if len(self.sent) == 1:  # a crisis page comes in after the first bulletin e-mail
                notifications.email_users([members[1].id], "crisis")
                db.session.commit()

    mailer = ArrivesMidway()
    assert mail.send_outbox(MONDAY_9, mailer) == 1  # the rest handed back
    assert _outbox("bulletin") == 2
    mail.send_outbox(MONDAY_9, mailer, batch=1)
    assert mailer.sent[1]["Subject"] == mail.SUBJECT  # the notice, before the two bulletins
    mail.send_outbox(MONDAY_9, mailer)
    assert len(mailer.sent) == 4
    assert db.session.scalar(select(func.max(Outbox.attempts))) is None  # all sent and gone


def test_run_jobs_runs_the_training_jobs_too(app, members, runner):
    result = runner.invoke(args=["run-jobs"])
    assert "bulletins published" in result.output
    assert "policy reminders" in result.output
    only = runner.invoke(args=["run-jobs", "--only", "training"])
    assert only.exit_code == 0
    assert "dispatched" not in only.output
    assert "policy reminders" in only.output
