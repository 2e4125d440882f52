"""The case page's actions follow the case's state (cases/actions.py, pure)."""

import pytest

from wellness.cases import actions


def names(status: str, contacted: bool, accepted: bool) -> list[str]:
    return [a.name for a in actions.available(status, contacted, accepted)]


def test_a_new_case_first_asks_for_first_contact_then_acceptance():
    assert names("new", False, False) == [
        "contacted",
        "accept",
        "message",
        "note",
        "checkin",
        "transfer",
        "close",
    ]


def test_once_reached_out_the_contact_step_is_gone():
    assert names("contacted", True, False)[:2] == ["accept", "message"]
    assert "contacted" not in names("contacted", True, False)


def test_an_active_case_offers_only_the_daily_work():
    assert names("active", True, True) == ["message", "note", "checkin", "transfer", "close"]


@pytest.mark.parametrize("status", ["closed", "referred out"])
def test_a_closed_case_offers_nothing(status):
    assert actions.available(status, True, True) == []
    assert "closed" in actions.next_step(status, True, True)


def test_every_action_says_what_it_does_and_the_two_first_steps_differ():
    every = actions.available("new", False, False)
    assert all(a.label and a.why for a in every)
    contacted, accept = every[0], every[1]
    assert "first-contact clock" in contacted.why
    assert "does not record that you have reached out" in accept.why


def test_the_next_step_follows_the_state():
    assert actions.next_step("new", False, False).startswith("Reach out")
    assert actions.next_step("contacted", True, False).startswith("You have reached out")
    assert actions.next_step("active", True, True).startswith("Keep in touch")
