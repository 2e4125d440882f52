"""The admin's account pages' use cases: making an account with a one-time password, and
editing one. Case roles are only proposed here, for a coordinator to confirm
(``accounts.grants``): an admin never gives anyone the power to read cases alone."""

from __future__ import annotations

from wellness.accounts import grants, passwords
from wellness.accounts import service as accounts
from wellness.accounts.models import CASE_ROLES, Role, User
from wellness.notifications.addresses import set_email_address
from wellness.transaction import use_case


@use_case
def create_by_admin(
    username: str,
    display_name: str,
    roles: list[Role],
    unit_id: int | None,
    email: str | None,
    admin: User,
) -> tuple[User, str, list[Role]]:
    """An admin makes an account with a one-time password (shown to them once). Case roles
    are only proposed: returns the account, the password and the roles proposed."""
    accounts.check_separation(roles)
    temporary = passwords.temporary_password()
    wanted = set(roles)
    proposed = sorted(wanted & CASE_ROLES)
    user = accounts.new_user(
        username,
        display_name,
        temporary,
        (wanted - CASE_ROLES) or {Role.OFFICER},
        unit_id,
        must_change_password=True,
    )
    set_email_address(user, email)
    accounts.log_account_event(user, admin, "account created")
    for role in proposed:
        grants.propose(user, role, admin)
    return user, temporary, proposed


@use_case
def update_by_admin(
    user: User,
    display_name: str,
    unit_id: int | None,
    roles: list[Role],
    active: bool,
    email: str | None,
    admin: User,
) -> list[Role]:
    """The admin's account edit: details, roles (case roles only proposed), notice address."""
    accounts.set_notice_address(user, email)
    return accounts.update_user(user, display_name, unit_id, roles, active, actor=admin)
