"""People and their access: users, roles, counselor profiles, server-side login sessions."""

from __future__ import annotations

import enum
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
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Class B: where to send "something is waiting" e-mails, under the server key.
    email_token: Mapped[str | None] = mapped_column(String(600))
    # The person's keypair (see SECURITY.md): the private half only wrapped under a key derived
    # from their password, and sealed to the program recovery key.
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary(128))
    key_kdf: Mapped[str] = mapped_column(String(120))
    recovery_sealed_key: Mapped[bytes] = mapped_column(LargeBinary(128))
    # The person's private list of their own cases, sealed to their public key and padded, so
    # nobody else can tell whether they ever asked for help.
    case_index: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

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

    user: Mapped[User] = relationship(back_populates="role_rows")


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

    user: Mapped[User] = relationship(back_populates="counselor")


class LoginSession(db.Model):
    """The server side of a signed-in browser; deleting the row signs it out everywhere."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # False until the second factor is given; such a session signs nobody in.
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # The private key wrapped under a random key that exists only in the browser's cookie.
    wrapped_private_key: Mapped[bytes] = mapped_column(LargeBinary(128))

    user: Mapped[User] = relationship()
