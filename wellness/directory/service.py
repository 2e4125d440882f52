"""The peer team's public profiles: who publishes one, what it says, who is free now, and the
coordinator's power to hide one. Only ready, confirmed counselors who chose to publish appear.
Nothing here is written when someone looks."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wellness.accounts import directory as accounts_directory
from wellness.accounts.models import CounselorProfile, Role, User, UserRole
from wellness.cases import service as cases
from wellness.directory import photos
from wellness.extensions import db
from wellness.transaction import use_case

SERVES = (("members", "Members"), ("families", "Families"), ("retirees", "Retirees"))


@dataclass(frozen=True)
class PublicProfile:
    user_id: int
    name: str
    kind: str  # peer, clinician, chaplain
    background: str
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    serves: tuple[str, ...]
    available_now: bool
    photo_version: int | None  # None: no photo


@dataclass(frozen=True)
class ProfileFields:
    """What a counselor writes about themself. Their type, topics and languages are routing's,
    kept by the coordinator, and shown as they are."""

    published: bool
    public_name: str
    background: str
    serves: list[str]


def _visible(*columns):  # type: ignore[no-untyped-def]
    return (
        select(*columns)
        .select_from(User)
        .join(CounselorProfile, CounselorProfile.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == Role.COUNSELOR,
            UserRole.endorsement.is_not(None),
            CounselorProfile.published.is_(True),
            CounselorProfile.hidden.is_(False),
            *accounts_directory.READY,
        )
    )


def published() -> list[PublicProfile]:
    """Everyone in the public directory, by name, with whether they can take a request now
    (the photos themselves are not read here: each is its own request)."""
    loads = cases.open_caseloads()
    rows = db.session.execute(
        _visible(
            User.id,
            User.display_name,
            CounselorProfile.public_name,
            CounselorProfile.supporter_type,
            CounselorProfile.background,
            CounselorProfile.languages,
            CounselorProfile.specialties,
            CounselorProfile.serves,
            CounselorProfile.available,
            CounselorProfile.caseload_cap,
            CounselorProfile.photo_version,
            CounselorProfile.photo.is_not(None).label("has_photo"),
        )
    ).all()
    people = [
        PublicProfile(
            user_id=row.id,
            name=row.public_name or row.display_name,
            kind=str(row.supporter_type),
            background=row.background,
            languages=tuple(row.languages or ()),
            topics=tuple(row.specialties or ()),
            serves=tuple(row.serves or ()),
            available_now=row.available and loads.get(row.id, 0) < row.caseload_cap,
            photo_version=row.photo_version if row.has_photo else None,
        )
        for row in rows
    ]
    return sorted(people, key=lambda p: p.name.casefold())


def choices() -> list[tuple[int, str]]:
    """(id, public name) of everyone in the directory, by name: whom an officer may ask for or
    exclude. One query (no caseloads): every request form draws these."""
    rows = db.session.execute(
        _visible(User.id, User.display_name, CounselorProfile.public_name)
    ).all()
    return sorted(
        ((r.id, r.public_name or r.display_name) for r in rows), key=lambda c: c[1].casefold()
    )


def photo(user_id: int) -> bytes | None:
    """A published, visible profile's photo (None for anyone else: not found)."""
    return db.session.scalar(_visible(CounselorProfile.photo).where(User.id == user_id))


def profile_of(user: User) -> CounselorProfile:
    """The counselor's own profile row (made on first use, not yet saved)."""
    return user.counselor or CounselorProfile(user=user)


@use_case
def save_profile(user: User, fields: ProfileFields) -> None:
    """The counselor's own words, whom they serve, and whether to publish them."""
    profile = profile_of(user)
    profile.published = fields.published
    profile.public_name = fields.public_name.strip()
    profile.background = fields.background.strip()
    profile.serves = list(fields.serves) or ["members"]
    db.session.add(profile)


@use_case
def set_photo(user: User, upload: bytes | None) -> None:
    """Publish a photo (re-encoded: photos.PhotoError if it cannot be used), or remove it."""
    profile = profile_of(user)
    profile.photo = None if upload is None else photos.reencode(upload)
    profile.photo_version = (profile.photo_version or 0) + 1
    db.session.add(profile)


@use_case
def set_hidden(user_id: int, hidden: bool) -> None:
    """The coordinator hides a profile from the public directory (or shows it again)."""
    profile = db.session.get(CounselorProfile, user_id)
    if profile is not None:
        profile.hidden = hidden
