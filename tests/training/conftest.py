"""A small agency with the shipped policy and bulletins: the first bulletin published today."""

import pytest

from tests.factories import make_unit, make_user
from wellness.accounts.models import Role
from wellness.extensions import db
from wellness.training import service as training


@pytest.fixture
def agency(app, ctx):
    """Patrol (supervised by sgt) with North under it (supervised by cpl); Investigations apart.
    The shipped policy is version 1; the first bulletin is published today."""
    sgt = make_user("sgt", Role.OFFICER, Role.SUPERVISOR)
    cpl = make_user("cpl", Role.OFFICER, Role.SUPERVISOR)
    patrol = make_unit("Patrol", supervisor=sgt)
    north = make_unit("North", parent=patrol, supervisor=cpl)
    investigations = make_unit("Investigations")
    people = {
        "sgt": sgt,
        "cpl": cpl,
        "jordan": make_user("jordan", Role.OFFICER, unit=north),
        "sam": make_user("sam", Role.OFFICER, unit=patrol),
        "dana": make_user("dana", Role.OFFICER, unit=investigations),
        "kelly": make_user("kelly", Role.COUNSELOR),
        "maria": make_user("maria", Role.COORDINATOR),
        "alex": make_user("alex", Role.ADMIN),
    }
    sgt.unit_id, cpl.unit_id = patrol.id, north.id
    training.seed(training.today())
    training.queued()[0].published_on = training.today()
    db.session.commit()
    return people
