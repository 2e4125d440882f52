"""Attacker: a single operator acting alone — an admin (IT), or one coordinator — trying to
read new referrals. SECURITY.md, threat model: "admin account", "coordinator account"."""

import re

import pyotp
import pytest
from sqlalchemy import select

from tests.attacks.test_database_writer import opens_with
from tests.factories import PASSWORD, csrf_token, login, post, reader, self_referral
from wellness.accounts import grants
from wellness.accounts import service as accounts
from wellness.accounts.models import CounselorProfile, Role, RoleGrant, User
from wellness.audit.models import AccessLogEntry
from wellness.checkins.models import Outbox
from wellness.crypto import keypairs
from wellness.extensions import db
from wellness.keys import service as keys
from wellness.keys import trust
from wellness.notifications.models import Notification


def web(app, user, password=PASSWORD):
    client = app.test_client()
    login(client, user, password)
    return client


def edit(client, user, **form):
    data = {"display_name": user.display_name, "unit": user.unit_id or 0, "active": "y", **form}
    return post(client, f"/admin/users/{user.id}", data, token_from=f"/admin/users/{user.id}")


def others_unavailable(*keep):
    for profile in db.session.scalars(select(CounselorProfile)):
        if profile.user_id not in {u.id for u in keep}:
            profile.available = profile.on_call = False
    db.session.commit()


def test_an_admin_cannot_give_themself_a_role_that_reads_cases(app, agency_people):
    admin = agency_people["admin"]
    client = web(app, admin)
    for role in ("counselor", "coordinator"):
        page = edit(client, admin, roles=["admin", role]).get_data(as_text=True)
        assert "cannot also be a counselor or coordinator" in page
    db.session.expire_all()
    assert db.session.get(User, admin.id).roles == {Role.ADMIN}
    assert db.session.scalar(select(RoleGrant)) is None
    # ...nor on the server's command line, nor as a proposal a coordinator could approve
    result = app.test_cli_runner().invoke(
        args=["set-roles", "itadmin", "--role", "admin", "--role", "counselor"]
    )
    assert result.exit_code != 0
    with pytest.raises(grants.GrantError):
        grants.propose(admin, Role.COUNSELOR, admin)


def test_an_admin_cannot_steer_routing_and_reads_nothing_that_is_routed(app, agency_people):
    admin, counselor = agency_people["admin"], agency_people["counselor"]
    client = web(app, admin)
    for path in (
        f"/coordinator/team/{counselor.id}",
        f"/coordinator/team/{counselor.id}/profile",
        f"/admin/users/{counselor.id}/counselor",
    ):
        response = client.post(path, data={"csrf_token": csrf_token(client, "/admin/")})
        assert response.status_code in (403, 404, 405), path
    db.session.expire_all()
    assert db.session.get(User, counselor.id).counselor.available is True
    case, _ = self_referral(None, text="MARKER-ADMIN")
    assert case.assignee_id in {agency_people["counselor"].id, agency_people["counselor2"].id}
    assert not opens_with(keys.unlock(db.session.get(User, admin.id), PASSWORD), case)


def test_reset_and_take_over_a_counselor_gets_no_new_cases(app, agency_people):
    """The admin resets a counselor's password and authenticator, signs in as them with the
    one-time password, enrols their own authenticator and chooses a password: the account is
    theirs now, but no case reaches it until a coordinator confirms the real person."""
    admin, victim = agency_people["admin"], agency_people["counselor"]
    real_kelly_code = keypairs.safety_code(victim.public_key)
    accounts.set_notice_address(victim, "kelly@example.org")
    db.session.commit()
    it = web(app, admin)
    # First the admin moves the notices to an address of their own: the old one is told.
    edit(it, victim, roles=["counselor"], email="it@example.org")
    post(
        it, f"/admin/users/{victim.id}/reset-authenticator", token_from=f"/admin/users/{victim.id}"
    )
    shown = post(
        it,
        f"/admin/users/{victim.id}/reset-password",
        token_from=f"/admin/users/{victim.id}",
        follow_redirects=True,
    )
    one_time = re.search(r"<code>([^<]+)</code>", shown.get_data(as_text=True)).group(1)

    thief = app.test_client()
    response = post(thief, "/login", {"username": "kelly", "password": one_time})
    assert response.headers["Location"].endswith("/login/enrol")
    page = thief.get("/login/enrol").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    post(thief, "/login/enrol", {"code": pyotp.TOTP(secret).now()}, token_from="/login/enrol")
    new = "the admin's own passphrase"
    post(
        thief,
        "/account/password",
        {"current": one_time, "new": new, "confirm": new},
        token_from="/account/password",
    )
    db.session.expire_all()
    victim = db.session.get(User, victim.id)
    assert not victim.must_change_password  # the take-over went through...
    assert not trust.endorsed(victim, Role.COUNSELOR)  # ...but the account receives nothing
    others_unavailable(victim)
    for urgency in ("routine", "crisis"):
        case, _ = self_referral(None, urgency=urgency, text="MARKER-TAKEOVER")
        assert case.assignee_id != victim.id
        assert not opens_with(keys.unlock(victim, new), case)
    assert thief.get(f"/cases/{case.id}").status_code == 403  # not a confirmed counselor

    # Everyone who should know does: the person (both addresses), the coordinators, the log.
    addresses = mail_addresses()
    assert "kelly@example.org" in addresses  # told that the notice address changed
    kinds = set(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == victim.id))
    )
    assert {"password_reset", "authenticator_reset"} <= kinds
    coordinator_kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == agency_people["coordinator"].id)
    ).all()
    assert "account_change" in coordinator_kinds
    actions = db.session.scalars(
        select(AccessLogEntry.action).where(AccessLogEntry.account_id == victim.id)
    ).all()
    assert {"password reset", "authenticator reset"} <= set(actions)
    lead = web(app, agency_people["coordinator"])
    team = lead.get("/coordinator/team/").get_data(as_text=True)
    assert "after a reset of their password or authenticator" in team
    assert "Kelly: password reset" in team
    # The coordinator confirms only with the code the person reads out: the real Kelly's code
    # (her old key) does not match the key the account holds now.
    with pytest.raises(grants.GrantError, match="does not match"):
        grants.confirm_person(victim, agency_people["coordinator"], real_kelly_code)


def mail_addresses() -> list[str]:
    from wellness.notifications import mail

    return [
        mail.decrypt_field(mail.fields.OUTBOX_TO, row.id, row.to_token).decode()
        for row in db.session.scalars(select(Outbox))
    ]


def test_a_role_takes_two_people_and_the_safety_code_is_compared(app, agency_people):
    admin, officer, coordinator = (
        agency_people["admin"],
        agency_people["officer2"],
        agency_people["coordinator"],
    )
    page = edit(web(app, admin), officer, roles=["officer", "counselor"]).status_code
    assert page == 302
    db.session.expire_all()
    assert Role.COUNSELOR not in db.session.get(User, officer.id).roles
    lead = web(app, coordinator)
    team = lead.get("/coordinator/team/").get_data(as_text=True)
    own = web(app, officer).get("/account").get_data(as_text=True)
    code = keypairs.safety_code(officer.public_key)
    assert code not in team  # the coordinator must hear it from the person...
    assert code in own  # ...who reads it from their own page
    grant = db.session.scalars(select(RoleGrant)).one()
    approve = f"/coordinator/team/grants/{grant.id}/approve"
    wrong = post(
        lead,
        approve,
        {"safety_code": "1234 5678 9ABC DEF0 1234"},
        "/coordinator/team/",
        follow_redirects=True,
    )
    assert "does not match this account" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert not trust.endorsed(db.session.get(User, officer.id), Role.COUNSELOR)
    post(lead, approve, {"safety_code": code.lower()}, token_from="/coordinator/team/")
    db.session.expire_all()
    officer = db.session.get(User, officer.id)
    assert trust.endorsed(officer, Role.COUNSELOR)
    others_unavailable(officer)
    case, _ = self_referral(None, text="MARKER-NEW-COUNSELOR")
    assert case.assignee_id == officer.id
    actions = db.session.scalars(
        select(AccessLogEntry.action).where(AccessLogEntry.account_id == officer.id)
    ).all()
    assert actions == ["role proposed: counselor", "role granted: counselor"]


def test_nobody_confirms_themselves(app, agency_people):
    coordinator, other = agency_people["coordinator"], agency_people["coordinator2"]
    one_time = accounts.reset_password(coordinator, agency_people["admin"])
    accounts.change_password(coordinator, one_time, "a passphrase of my own")
    code = keypairs.safety_code(coordinator.public_key)
    with pytest.raises(grants.GrantError, match="Nobody confirms themselves"):
        grants.confirm_person(coordinator, coordinator, code)
    assert not trust.endorsed(coordinator, Role.COORDINATOR)
    with pytest.raises(grants.GrantError, match="does not match"):
        grants.confirm_person(coordinator, other, "0000 1111 2222 3333 4444")
    grants.confirm_person(coordinator, other, code)
    assert trust.endorsed(coordinator, Role.COORDINATOR)


def test_a_coordinator_alone_cannot_read_a_case_not_shared_with_them(app, agency_people):
    case, _ = self_referral(agency_people["officer"], text="MARKER-COORD")
    coordinator = agency_people["coordinator"]
    assert case.assignee_id is not None
    lead = web(app, coordinator)
    assert lead.get(f"/cases/{case.id}").status_code == 404
    assert not opens_with(reader(coordinator).private_key, case)


def test_reset_take_over_then_restore_gives_the_admin_none_of_the_old_cases(app, agency_people):
    """After the take-over, the coordinator's documented next step is to restore access: it
    needs the safety code the real person reads out, which the admin's key does not give."""
    from wellness.cases import rekeying

    admin, victim = agency_people["admin"], agency_people["counselor"]
    old, _ = self_referral(agency_people["officer"], text="MARKER-OLD")
    holder = db.session.get(User, old.assignee_id)
    real_code = keypairs.safety_code(holder.public_key)
    one_time = accounts.reset_password(holder, admin)
    accounts.change_password(holder, one_time, "the admin's own passphrase")
    with pytest.raises(rekeying.RestoreError, match="does not match"):
        rekeying.restore_access(
            holder, app.config["TEST_RECOVERY_CODE"], agency_people["coordinator"], real_code
        )
    assert not opens_with(keys.unlock(holder, "the admin's own passphrase"), old)
    assert victim  # (the agency's other counselor is untouched)


def test_an_unconfirmed_coordinator_account_opens_no_coordinator_page(app, agency_people):
    """A taken-over coordinator account (reset, endorsement withdrawn) cannot steer the team."""
    admin, coordinator = agency_people["admin"], agency_people["coordinator"]
    counselor = agency_people["counselor"]
    one_time = accounts.reset_password(coordinator, admin)
    accounts.change_password(coordinator, one_time, "the admin's own passphrase")
    from wellness.accounts import totp

    secret = totp.new_secret()
    accounts.set_totp_secret(coordinator, secret)
    db.session.commit()
    client = app.test_client()
    post(client, "/login", {"username": "maria", "password": "the admin's own passphrase"})
    post(client, "/login/verify", {"code": pyotp.TOTP(secret).now()}, token_from="/login/verify")
    assert client.get("/account").status_code == 200  # signed in...
    for path in ("/coordinator/team/", "/coordinator/queue", "/coordinator/restore-access"):
        assert client.get(path).status_code == 403, path  # ...but no coordinator page opens
    response = client.post(
        f"/coordinator/team/{counselor.id}", data={"csrf_token": csrf_token(client, "/account")}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, counselor.id).counselor.available is True
