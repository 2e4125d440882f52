"""Attacker: a thief with a copy of the database (no keys) trying to tell *who asked*, from
times, ids, row order, sizes, sessions, the access log and notifications.

Twenty people make named self-referrals or concern reports, interleaved with twenty others
who only sign in, read pages, change passwords or sign out, over three hours. The attacker
then reads every clear column of every table, in the order the database hands the rows back,
and guesses, for each case, who made it. The requirement (issue 12): no strategy does better
than "one of the people active in the same hour". A control run gives the same attacker what
earlier releases stored (when each person's session began, and whose it was) and must then
succeed, so the strategies are real.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from tests.attacks.conftest import as_time, dump_tables
from tests.factories import PASSWORD, login, make_unit, make_user, post
from wellness.accounts.models import Role
from wellness.timeutil import frozen_at

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PERSON_COLUMNS = ("user_id", "actor_id", "author_id", "created_by", "proposed_by", "account_id")


@pytest.fixture
def app_overrides():
    return {"LOGIN_RATE_LIMIT": "10000 per minute"}  # forty sign-ins from one test address


@dataclass
class Truth:
    case_hour: dict[int, int]  # case id -> the hour it was made in
    asker: dict[int, int]  # case id -> user id of who made it
    active: dict[int, set[int]]  # hour -> user ids active in it
    sessions_then: list[tuple[int, datetime]]  # what earlier releases stored: who, when


def scenario(app, rng: random.Random) -> Truth:
    units = [make_unit(f"Unit {i}") for i in range(3)]
    people = [
        make_user(
            f"officer{i:02d}", Role.OFFICER, *([Role.SUPERVISOR] * (i % 5 == 0)), unit=units[i % 3]
        )
        for i in range(40)
    ]
    for i in range(3):
        make_user(f"counselor{i}", Role.COUNSELOR)
    askers = set(rng.sample(range(40), 20))
    plan = []
    for i in range(len(people)):
        hour = rng.randrange(3)
        plan.append(
            (
                T0 + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)),
                i,
                hour,
            )
        )
    plan.sort()
    truth = Truth({}, {}, defaultdict(set), [])
    known_cases: set[int] = set()
    for moment, i, hour in plan:
        person = people[i]
        with frozen_at(moment):
            client = app.test_client()
            login(client, person)
            truth.active[hour].add(person.id)
            truth.sessions_then.append((person.id, moment))
            if i in askers:
                _ask(client, person, people, rng, i)
            else:
                _browse(client, rng)
            if rng.random() < 0.5:
                post(client, "/logout", token_from="/account")
        for case_id in _case_ids() - known_cases:
            truth.case_hour[case_id], truth.asker[case_id] = hour, person.id
            known_cases.add(case_id)
    return truth


def _case_ids() -> set[int]:
    from sqlalchemy import select

    from wellness.cases.models import Case
    from wellness.extensions import db

    return set(db.session.scalars(select(Case.id)))


def _ask(client, person, people, rng, i):
    if i % 2:
        post(
            client,
            "/help/self",
            {
                "urgency": rng.choice(["routine", "soon"]),
                "topics": ["stress"],
                "text": "MARKER " + "x" * rng.randrange(200),
                "supporter_type": "",
                "contact_method": "phone",
            },
            token_from="/help/self",
            follow_redirects=True,
        )
        return
    colleague = rng.choice([p for p in people if p.id != person.id])
    supervisor = person.has_role(Role.SUPERVISOR)
    path = "/help/report" if supervisor else "/help/concern"
    post(
        client,
        path,
        {"colleague": colleague.username, "urgency": "routine", "text": "MARKER worried"},
        token_from=path,
    )


def _browse(client, rng):
    for path in rng.sample(
        ["/me/referrals", "/screeners/", "/account", "/me/check-ins", "/help/"], 3
    ):
        client.get(path)
    if rng.random() < 0.3:
        post(
            client,
            "/account/password",
            {"current": PASSWORD, "new": PASSWORD + " two", "confirm": PASSWORD + " two"},
            token_from="/account/password",
        )


# --- the attacker ---------------------------------------------------------------------------


def person_times(stolen: dict[str, list[dict]]) -> dict[int, list[datetime]]:
    """Every clear time in a row that names a person, by person."""
    found: dict[int, list[datetime]] = defaultdict(list)
    for table, rows in stolen.items():
        for row in rows:
            people = {row[c] for c in PERSON_COLUMNS if c in row and row[c] is not None}
            if table == "users":
                people = {row["id"]}
            times = [as_time(v) for k, v in row.items() if _is_time(k, v)]
            for person in people:
                found[int(person)] += times
    return found


def case_times(stolen) -> dict[int, list[datetime]]:
    found: dict[int, list[datetime]] = defaultdict(list)
    for table, rows in stolen.items():
        for row in rows:
            case_id = row["id"] if table == "cases" else row.get("case_id")
            if case_id is not None:
                found[int(case_id)] += [as_time(v) for k, v in row.items() if _is_time(k, v)]
    return found


def _is_time(name: str, value) -> bool:
    return value is not None and (name.endswith("_at") or name in ("at", "locked_until"))


def guess_by_time(stolen, candidates: set[int]) -> dict[int, int]:
    """For each case, the person with a recorded time closest to any of the case's times."""
    people, cases = person_times(stolen), case_times(stolen)
    guesses = {}
    for case_id, times in cases.items():
        best = min(
            candidates,
            key=lambda p: min(
                (abs((a - b).total_seconds()) for a in people.get(p, []) for b in times),
                default=float("inf"),
            ),
        )
        guesses[case_id] = best
    return guesses


def guess_by_order(stolen, candidates: set[int]) -> dict[int, int]:
    """The k-th case (by id) to the k-th person whose row moved last (heap order on
    PostgreSQL puts updated rows at the end; ids follow creation)."""
    order = [row["id"] for row in stolen["users"] if row["id"] in candidates]
    cases = sorted(row["id"] for row in stolen["cases"])
    return {case_id: order[-len(cases) + k] for k, case_id in enumerate(cases)}


def guess_by_size(stolen, candidates: set[int]) -> dict[int, int]:
    """Content length against how long each person's name, username and unit are."""
    lengths = {
        row["id"]: len(row["display_name"]) + len(row["username"]) for row in stolen["users"]
    }
    guesses = {}
    for row in stolen["cases"]:
        size = len(row["content"] or b"")
        guesses[row["id"]] = min(candidates, key=lambda p: (abs(size % 1024 - lengths[p] * 4), p))
    return guesses


def score(guesses: dict[int, int], truth: Truth) -> int:
    return sum(guesses.get(case_id) == who for case_id, who in truth.asker.items())


def chance(truth: Truth) -> float:
    """Expected right guesses when picking one of the people active in the case's hour."""
    return sum(1 / len(truth.active[truth.case_hour[c]]) for c in truth.asker)


def test_the_database_alone_does_not_say_who_asked(app, ctx):
    truth = scenario(app, random.Random(12))
    assert len(truth.asker) == 20
    stolen = dump_tables()
    candidates = {
        row["id"] for row in stolen["users"] if not row["username"].startswith("counselor")
    }
    limit = chance(truth) + 4  # a binomial tail: more than this is information, not luck
    for strategy in (guess_by_time, guess_by_order, guess_by_size):
        right = score(strategy(stolen, candidates), truth)
        assert right <= limit, f"{strategy.__name__}: {right} of 20 (chance {chance(truth):.1f})"
    # Nothing but the directory names an officer who asked (not a case key, notification,
    # event, log entry or session).
    askers = set(truth.asker.values())
    for table, rows in stolen.items():
        if table in ("users", "user_roles", "units", "counselor_profiles"):
            continue
        for row in rows:
            named = {row[c] for c in PERSON_COLUMNS if c in row}
            assert not named & askers, f"{table} names someone who asked"
    # Every case is as big as every other (content padded): sizes say nothing about names.
    assert len({len(row["content"]) for row in stolen["cases"] if len(row["content"]) < 2048}) == 1


def test_the_attacker_is_real_given_what_earlier_releases_stored(app, ctx):
    """Control: with sessions that say whose they are and when they began (as before), the
    same timing attack names almost every asker."""
    truth = scenario(app, random.Random(12))
    stolen = dump_tables()
    stolen["login_sessions_then"] = [
        {"user_id": who, "created_at": when} for who, when in truth.sessions_then
    ]
    for row in stolen["cases"]:  # and case times to the microsecond, as before
        row["created_at"] = _exact(truth, row["id"])
    candidates = set(truth.sessions_then and {who for who, _ in truth.sessions_then})
    assert score(guess_by_time(stolen, candidates), truth) >= 15


def _exact(truth: Truth, case_id: int) -> datetime:
    from sqlalchemy import select

    from wellness.cases import service as cases
    from wellness.cases.models import Case
    from wellness.extensions import db

    return cases.exact_created(db.session.scalar(select(Case).where(Case.id == case_id)))
