"""People and their access: users, roles, counselor profiles, server-side login sessions."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, Enum, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wellness.agency.models import Unit
from wellness.extensions import db
from wellness.timeutil import utcnow

USERNAME_MAX = 64
DISPLAY_NAME_MAX = 120


class Role(enum.StrEnum):
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    COUNSELOR = "counselor"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


# Roles that can see other people's cases or manage accounts: a password alone is not enough.
STAFF_ROLES = frozenset({Role.COUNSELOR, Role.COORDINATOR, Role.ADMIN})
# Roles that cases are sealed to. Granting one takes two people, and an admin never holds one.
CASE_ROLES = frozenset({Role.COUNSELOR, Role.COORDINATOR})


class SupporterType(enum.StrEnum):
    PEER = "peer"
    CLINICIAN = "clinician"
    CHAPLAIN = "chaplain"


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # under the server key
    # Class B: where to send "something is waiting" e-mails, under the server key.
    email_token: Mapped[str | None] = mapped_column(String(600))
    # The person's keypair (see SECURITY.md): the private half only wrapped under a key derived
    # from their password, and sealed to the program recovery key.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    key_kdf: Mapped[str] = mapped_column(String(120))
    recovery_sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    # The server's signature (instance/keys/signing.key) over "this key is this account's":
    # nothing is sealed to a key without it, so a database writer cannot plant their own.
    # Empty while the key is wrapped under a one-time password someone else has seen.
    key_signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Sessions prove they belong to this account with it; a new value ends every session.
    session_epoch: Mapped[bytes] = mapped_column(
        LargeBinary, default=lambda: secrets.token_bytes(16)
    )
    # Earlier releases kept the person's case index here; it now lives in case_indexes under a
    # handle only their private key derives. Moved there at their next sign-in.
    case_index: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The access log's latest account event about this account (a reset, a role change, a
    # disable), under the MAC: an earlier state of the row, put back from an older copy of
    # the database, names an older event than the log holds and is refused (keys/rows.py).
    event_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # This instance's MAC over the columns that decide who signs in and with which key
    # (keys/rows.py): an account the database alone wrote or changed is never trusted.
    row_mac: Mapped[bytes | None] = mapped_column(LargeBinary)

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    counselor: Mapped[CounselorProfile | None] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_secret is not None

    def __repr__(self) -> str:  # never the name: reprs end up in logs
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), primary_key=True)
    # For counselor and coordinator: the server's signature over (account, role, public key),
    # made when a coordinator confirmed the person (keys/trust.py). Cases are sealed to
    # a role only with it; empty after a reset until someone confirms them again.
    endorsement: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The account's event_seq when the row was last written: a role row put back from an older
    # copy (a removed role) names an older event than the account and is refused.
    event_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # This instance's MAC over the row (keys/rows.py): a role row the database alone wrote
    # gives nothing, not even an officer's or a supervisor's pages.
    row_mac: Mapped[bytes | None] = mapped_column(LargeBinary)

    user: Mapped[User] = relationship(back_populates="role_rows")


class RoleGrant(db.Model):
    """An admin's proposal to give someone a role that reads cases, and a coordinator's answer.

    No single operator can make someone a counselor or coordinator (SECURITY.md)."""

    __tablename__ = "role_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "grant_role"))
    proposed_by: Mapped[int | None] = mapped_column(Integer)
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(20))  # approved / refused / withdrawn
    # The server's signature over (grant, account, role, proposer), made when the admin
    # proposed it: a row the database alone wrote, or re-pointed, is refused.
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The account's event_seq when the row was last written (a refused proposal put back as
    # open names an older event and is refused).
    event_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # This instance's MAC over the proposal and its answer (keys/rows.py).
    row_mac: Mapped[bytes | None] = mapped_column(LargeBinary)

    user: Mapped[User] = relationship()


class CounselorProfile(db.Model):
    __tablename__ = "counselor_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    supporter_type: Mapped[SupporterType] = mapped_column(
        _enum(SupporterType, "supporter_type"), default=SupporterType.PEER
    )
    specialties: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    on_call: Mapped[bool] = mapped_column(Boolean, default=False)
    caseload_cap: Mapped[int] = mapped_column(Integer, default=10)
    serves: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["members"])
    # The public profile ("Our peer team", wellness/directory): written by the counselor,
    # shown to anyone only once they publish it, and hidden again by the coordinator if needed.
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    public_name: Mapped[str] = mapped_column(String(80), default="")
    background: Mapped[str] = mapped_column(String(600), default="")
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)  # JPEG, re-encoded, no metadata
    photo_version: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship(back_populates="counselor")


class AuthenticatorStep(db.Model):
    """The last authenticator time step someone used (a sign-in time, to 30 seconds), sealed to
    their own key, under a handle only their private key derives, like their case index.

    Signing in with an authenticator writes this row, never the account's: no column, and not
    even PostgreSQL's record of which transaction wrote a row, says when someone signed in
    (SECURITY.md, the engine's bookkeeping). Stored without a rowid on SQLite, so rows sit in
    the random order of their handles."""

    __tablename__ = "authenticator_steps"
    __table_args__ = {"sqlite_with_rowid": False}

    handle: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    box: Mapped[bytes] = mapped_column(LargeBinary)


class LoginSession(db.Model):
    """The server side of a signed-in browser; deleting the row signs it out.

    Nothing here says whose session it is, even to someone with the server's keys: the id is a
    hash of the cookie's, and the tag that ties it to an account is keyed with the session key,
    which exists only in the browser. So no session can be lined up with a case (SECURITY.md).
    Stored without a rowid on SQLite, so rows sit in the random order of their ids.
    """

    __tablename__ = "login_sessions"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's
    user_tag: Mapped[bytes] = mapped_column(LargeBinary)
    # To the minute: idle sign-out needs no more.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # False until the second factor is given; such a session signs nobody in.
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # The private key wrapped under a random key that exists only in the browser's cookie.
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    # An authenticator secret being set up, under the same cookie-only key.
    enrol_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    # This instance's MAC over the row (keys/rows.py): a session row written into the
    # database, even with a cookie signed by a stolen secret key, signs nobody in.
    row_mac: Mapped[bytes | None] = mapped_column(LargeBinary)
