import re

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, login, make_unit, make_user, post
from wellness.accounts.models import Role, RoleGrant, User
from wellness.agency.models import Unit
from wellness.extensions import db

ADMIN_PAGES = ["/admin/", "/admin/users/new", "/admin/units", "/admin/units/new"]


@pytest.fixture
def admin_client(app, ctx):
    client = app.test_client()
    login(client, make_user("itadmin", Role.ADMIN))
    return client


def test_anonymous_is_sent_to_sign_in(client, ctx):
    for page in ADMIN_PAGES:
        response = client.get(page)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SUPERVISOR, Role.COUNSELOR, Role.COORDINATOR])
def test_other_roles_are_refused(app, ctx, role):
    client = app.test_client()
    login(client, make_user("someone", role))
    target = make_user("target", Role.OFFICER)
    for page in [*ADMIN_PAGES, f"/admin/users/{target.id}"]:
        assert client.get(page).status_code == 403
    refused = post(client, f"/admin/users/{target.id}/reset-password", token_from="/account")
    assert refused.status_code == 403


def test_admin_sees_every_admin_page(admin_client):
    for page in ADMIN_PAGES:
        assert admin_client.get(page).status_code == 200


def test_create_user_shows_a_one_time_password_that_must_be_changed(app, admin_client):
    unit = make_unit("Patrol North")
    response = post(
        admin_client,
        "/admin/users/new",
        {
            "username": "new.officer",
            "display_name": "New Officer",
            "unit": unit.id,
            "roles": ["officer"],
        },
        token_from="/admin/users/new",
    )
    assert response.headers["Location"].endswith("/admin/users/password")  # shown after it
    response = admin_client.get(response.headers["Location"])
    assert response.status_code == 200
    password = re.search(r"<code>([A-Za-z0-9]{16})</code>", response.get_data(as_text=True)).group(
        1
    )
    user = db.session.scalar(select(User).where(User.username == "new.officer"))
    assert user.roles == {Role.OFFICER}
    assert user.unit_id == unit.id
    assert password not in user.password_hash
    fresh = app.test_client()
    login(fresh, user, password=password)
    assert fresh.get("/account").headers["Location"].endswith("/account/password")


def test_duplicate_username_is_refused_and_nothing_saved(admin_client):
    make_user("taken", Role.OFFICER)
    response = post(
        admin_client,
        "/admin/users/new",
        {
            "username": "TAKEN",
            "display_name": "Someone Else",
            "unit": 0,
            "roles": ["officer"],
        },
        token_from="/admin/users/new",
    )
    assert "already in use" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


@pytest.mark.parametrize(
    "form",
    [
        {"username": "ok.name", "display_name": "x" * 121, "unit": 0, "roles": ["officer"]},
        {"username": "a" * 65, "display_name": "Name", "unit": 0, "roles": ["officer"]},
        {"username": "bad name!", "display_name": "Name", "unit": 0, "roles": ["officer"]},
        {"username": "ok.name", "display_name": "Name", "unit": 999, "roles": ["officer"]},
        {"username": "ok.name", "display_name": "Name", "unit": "abc", "roles": ["officer"]},
        {"username": "ok.name", "display_name": "Name", "unit": 0, "roles": ["emperor"]},
        {"username": "ok.name", "display_name": "Name", "unit": 0},
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(admin_client, form):
    response = post(admin_client, "/admin/users/new", form, token_from="/admin/users/new")
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_admin_edits_roles_and_unit_but_a_counselor_role_is_only_proposed(admin_client):
    unit = make_unit("Support")
    user = make_user("kelly", Role.OFFICER)
    response = post(
        admin_client,
        f"/admin/users/{user.id}",
        {
            "display_name": "Kelly Grant",
            "unit": unit.id,
            "roles": ["officer", "supervisor", "counselor"],
            "active": "y",
        },
        token_from=f"/admin/users/{user.id}",
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.roles == {Role.OFFICER, Role.SUPERVISOR}  # counselor waits for a coordinator
    assert user.unit_id == unit.id
    assert user.display_name == "Kelly Grant"
    grant = db.session.scalars(select(RoleGrant)).one()
    assert (grant.user_id, grant.role, grant.outcome) == (user.id, Role.COUNSELOR, None)
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "proposed, waiting for a coordinator" in page


def test_admin_has_no_say_over_counselor_profiles_or_availability(admin_client):
    counselor = make_user("kelly", Role.COUNSELOR)
    page = admin_client.get(f"/admin/users/{counselor.id}").get_data(as_text=True)
    assert "caseload_cap" not in page
    assert "on_call" not in page
    for path in (
        f"/admin/users/{counselor.id}/counselor",
        f"/coordinator/team/{counselor.id}",
        f"/coordinator/team/{counselor.id}/profile",
    ):
        response = post(admin_client, path, {"available": "", "on_call": ""}, token_from="/admin/")
        assert response.status_code in (403, 404, 405), path
    db.session.expire_all()
    assert db.session.get(User, counselor.id).counselor.available is True


def test_the_last_admin_cannot_remove_their_own_admin_role(admin_client):
    me = db.session.scalar(select(User).where(User.username == "itadmin"))
    response = post(
        admin_client,
        f"/admin/users/{me.id}",
        {
            "display_name": "Me",
            "unit": 0,
            "roles": ["officer"],
            "active": "y",
        },
        token_from=f"/admin/users/{me.id}",
    )
    assert "last active admin" in response.get_data(as_text=True)
    db.session.expire_all()
    assert Role.ADMIN in db.session.get(User, me.id).roles


def test_disabling_an_account_signs_it_out(app, admin_client):
    user = make_user("jordan", Role.OFFICER)
    theirs = app.test_client()
    login(theirs, user)
    post(
        admin_client,
        f"/admin/users/{user.id}",
        {
            "display_name": "Jordan",
            "unit": 0,
            "roles": ["officer"],
        },
        token_from=f"/admin/users/{user.id}",
    )
    assert theirs.get("/account").status_code == 302
    assert post(theirs, "/login", {"username": "jordan", "password": PASSWORD}).status_code == 200


def test_password_reset_ends_sessions_and_gives_a_one_time_password(app, admin_client):
    user = make_user("jordan", Role.OFFICER)
    theirs = app.test_client()
    login(theirs, user)
    response = post(
        admin_client,
        f"/admin/users/{user.id}/reset-password",
        token_from=f"/admin/users/{user.id}",
        follow_redirects=True,
    )
    assert "<code>" in response.get_data(as_text=True)
    again = admin_client.get("/admin/users/password", follow_redirects=True)  # a reload
    assert "<code>" not in again.get_data(as_text=True)  # shown once only
    assert "shown only once" in again.get_data(as_text=True)
    assert theirs.get("/account").status_code == 302


def test_authenticator_reset_makes_them_enrol_again(app, admin_client):
    user = make_user("kelly", Role.COUNSELOR)
    post(
        admin_client,
        f"/admin/users/{user.id}/reset-authenticator",
        token_from=f"/admin/users/{user.id}",
    )
    response = post(app.test_client(), "/login", {"username": "kelly", "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/enrol")


def test_units_form_a_tree_and_a_loop_is_refused(admin_client):
    boss = make_user("sgt", Role.SUPERVISOR)
    top = make_unit("HQ")
    response = post(
        admin_client,
        "/admin/units/new",
        {"name": "Patrol", "parent": top.id, "supervisor": boss.id},
        token_from="/admin/units/new",
    )
    assert response.status_code == 302
    patrol = db.session.scalar(select(Unit).where(Unit.name == "Patrol"))
    assert patrol.parent_id == top.id
    assert patrol.supervisor_id == boss.id
    loop = post(
        admin_client,
        f"/admin/units/{top.id}",
        {"name": "HQ", "parent": patrol.id, "supervisor": 0},
        token_from="/admin/units/new",
    )
    assert "cannot sit under itself" in loop.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Unit, top.id).parent_id is None


def test_unknown_ids_are_404_not_500(admin_client):
    assert admin_client.get("/admin/users/99999").status_code == 404
    assert admin_client.get("/admin/units/99999").status_code == 404


def test_search_and_paging_do_not_break_on_odd_input(admin_client):
    for query in ["?q=%25%27%22", "?page=-3", "?page=abc", "?q=" + "x" * 500]:
        assert admin_client.get("/admin/" + query).status_code == 200


def test_notice_email_is_stored_encrypted_and_validated(admin_client):
    from wellness.accounts import service as accounts

    user = make_user("kelly", Role.COUNSELOR)
    url = f"/admin/users/{user.id}"
    form = {"display_name": "Kelly", "unit": 0, "roles": ["counselor"], "active": "y"}
    bad = post(admin_client, url, {**form, "email": "not-an-address"}, token_from=url)
    assert "Enter an e-mail address" in bad.get_data(as_text=True)
    post(admin_client, url, {**form, "email": "kelly@example.org"}, token_from=url)
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert "kelly@" not in user.email_token
    assert accounts.email_address(user) == "kelly@example.org"
