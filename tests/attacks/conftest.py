"""The attackers of SECURITY.md's threat model, each against a real instance (SQLite and
PostgreSQL): the agency they attack is built here, through the real services."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import inspect, text

from tests.factories import make_unit, make_user
from wellness.accounts.models import Role
from wellness.agency import service as agency
from wellness.extensions import db
from wellness.timeutil import as_utc


@pytest.fixture
def agency_people(ctx):
    """A small agency: two units under a lieutenant, officers, counselors, a coordinator and IT."""
    division = make_unit("Patrol Division")
    north = make_unit("Patrol North", parent=division)
    south = make_unit("Patrol South", parent=division)
    support = make_unit("Support Services")
    people = {
        "lieutenant": make_user("lt", Role.OFFICER, Role.SUPERVISOR, unit=division),
        "sergeant": make_user("sgt", Role.OFFICER, Role.SUPERVISOR, unit=north),
        "officer": make_user("jordan", Role.OFFICER, unit=north),
        "officer2": make_user("sam", Role.OFFICER, unit=south),
        "counselor": make_user("kelly", Role.COUNSELOR, unit=support),
        "counselor2": make_user("renee", Role.COUNSELOR, unit=support),
        "coordinator": make_user("maria", Role.COORDINATOR, unit=support),
        "coordinator2": make_user("ana", Role.COORDINATOR, unit=support),
        "admin": make_user("itadmin", Role.ADMIN, unit=support),
    }
    agency.save_unit(division, division.name, None, people["lieutenant"].id)
    agency.save_unit(north, north.name, division.id, people["sergeant"].id)
    agency.save_unit(south, south.name, division.id, None)
    return people


def dump_tables() -> dict[str, list[dict]]:
    """Every row of every table, as a thief with a database copy reads it."""
    out = {}
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows = conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            out[table] = [dict(row._mapping) for row in rows]
    return out


def as_time(value: object) -> datetime:
    """A time column as read from the copy (SQLite hands back text)."""
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))
