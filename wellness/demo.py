"""A demo agency for trying the platform: a unit tree, officers, supervisors, counselors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from wellness.accounts import service as accounts
from wellness.accounts import totp
from wellness.accounts.models import Role, SupporterType, User
from wellness.agency import service as agency
from wellness.checkins.service import ensure_default_templates
from wellness.directory import service as directory
from wellness.extensions import db
from wellness.library import service as library
from wellness.program import crisis
from wellness.program.models import Resource
from wellness.timeutil import utcnow
from wellness.training import rules as training_rules
from wellness.training import service as training
from wellness.transaction import use_case

DEMO_PASSWORD = "demo-wellness-2026"  # noqa: S105  (demo only: printed, documented)

# unit name -> parent unit name
UNITS = {
    "Office of the Chief": None,
    "Patrol Division": "Office of the Chief",
    "Patrol North": "Patrol Division",
    "Patrol South": "Patrol Division",
    "Investigations": "Office of the Chief",
    "Support Services": "Office of the Chief",
}

# username, name, unit, roles, counselor profile (type, specialties, languages, on call, cap)
PEOPLE: list[tuple[str, str, str, tuple[Role, ...], tuple | None]] = [
    ("chief", "Dana Whitfield", "Office of the Chief", (Role.OFFICER, Role.SUPERVISOR), None),
    ("lt.patrol", "Marcus Bell", "Patrol Division", (Role.OFFICER, Role.SUPERVISOR), None),
    ("sgt.north", "Alicia Romero", "Patrol North", (Role.OFFICER, Role.SUPERVISOR), None),
    ("sgt.south", "Tom Okafor", "Patrol South", (Role.OFFICER, Role.SUPERVISOR), None),
    ("sgt.investigations", "Priya Nair", "Investigations", (Role.OFFICER, Role.SUPERVISOR), None),
    ("officer.north", "Jordan Lee", "Patrol North", (Role.OFFICER,), None),
    ("officer.south", "Sam Rivera", "Patrol South", (Role.OFFICER,), None),
    ("detective", "Chris Morgan", "Investigations", (Role.OFFICER,), None),
    (
        "peer.north",
        "Kelly Grant",
        "Patrol North",
        (Role.OFFICER, Role.COUNSELOR),
        (SupporterType.PEER, ["critical incident", "stress"], ["English"], True, 8),
    ),
    (
        "peer.investigations",
        "Luis Ortega",
        "Investigations",
        (Role.OFFICER, Role.COUNSELOR),
        (SupporterType.PEER, ["alcohol", "family"], ["English", "Spanish"], False, 8),
    ),
    (
        "peer.support",
        "Renee Walsh",
        "Support Services",
        (Role.COUNSELOR,),
        (SupporterType.PEER, ["financial", "sleep"], ["English"], False, 10),
    ),
    (
        "clinician",
        "Dr. Hannah Cho",
        "Support Services",
        (Role.COUNSELOR,),
        (SupporterType.CLINICIAN, ["trauma", "grief"], ["English", "Korean"], False, 15),
    ),
    (
        "chaplain",
        "Rev. Paul Adeyemi",
        "Support Services",
        (Role.COUNSELOR,),
        (SupporterType.CHAPLAIN, ["grief", "family"], ["English"], False, 10),
    ),
    (
        "coordinator",
        "Maria Santos",
        "Support Services",
        (Role.COORDINATOR, Role.COUNSELOR),
        (SupporterType.CLINICIAN, ["critical incident"], ["English", "Spanish"], False, 5),
    ),
    ("admin", "Alex Kim", "Support Services", (Role.ADMIN,), None),
]

SUPERVISES = {
    "Office of the Chief": "chief",
    "Patrol Division": "lt.patrol",
    "Patrol North": "sgt.north",
    "Patrol South": "sgt.south",
    "Investigations": "sgt.investigations",
}


class DemoError(Exception):
    pass


@dataclass(frozen=True)
class DemoLogin:
    username: str
    roles: str
    totp_secret: str | None


@use_case
def build() -> list[DemoLogin]:
    """Create the demo agency in an empty database; returns the sign-ins to print."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise DemoError("The database already has accounts; the demo only fills an empty one.")
    units = {}
    for name, parent in UNITS.items():
        units[name] = agency.save_unit(None, name, units[parent].id if parent else None, None)
    logins, users = [], {}
    for username, name, unit, roles, profile in PEOPLE:
        user = accounts.create_user(username, name, DEMO_PASSWORD, roles, unit_id=units[unit].id)
        users[username] = user
        if profile:
            kind, specialties, languages, on_call, cap = profile
            accounts.save_counselor_profile(
                user,
                supporter_type=kind,
                specialties=specialties,
                languages=languages,
                available=True,
                on_call=on_call,
                caseload_cap=cap,
            )
        secret = None
        if user.is_staff:
            secret = totp.new_secret()
            accounts.set_totp_secret(user, secret)
        logins.append(DemoLogin(username, ", ".join(sorted(r.value for r in roles)), secret))
    for unit_name, username in SUPERVISES.items():
        unit = units[unit_name]
        agency.save_unit(unit, unit.name, unit.parent_id, users[username].id)
    _program_defaults()
    _public_profiles(users)
    library.seed()
    _training(users)
    return logins


# Who acknowledged the demo policy already (the others are asked when they sign in), and how
# often each answered the daily bulletin (1 = every day, 2 = one day in two, 3 = two in three).
ACKNOWLEDGED = ("chief", "lt.patrol", "sgt.north", "officer.south", "peer.north", "coordinator")
ANSWERS_EVERY = {"chief": 1, "sgt.north": 1, "officer.south": 3, "detective": 2, "peer.north": 3}
PUBLISHED_DAYS = 15  # three weeks of working days


def _training(users: dict[str, User]) -> None:
    """The help-seeking policy (published three weeks ago) and its twenty bulletins, the first
    fifteen published on the working days before today; some acknowledgments and answers. The
    demo's people joined two months ago, so the completion figures count the whole window."""
    today = training.today()
    joined = utcnow() - timedelta(days=60)
    for user in users.values():
        user.created_at = joined
    training.seed(today - timedelta(days=21), users["coordinator"].id)
    version = training.current_policy()
    bulletins = training.queued()
    days = training_rules.working_days_before(today, PUBLISHED_DAYS)
    for bulletin, day in zip(bulletins, days, strict=False):
        bulletin.published_on = day
    for username in ACKNOWLEDGED:
        training.acknowledge(users[username].id, version, today - timedelta(days=18))
    for username, every in ANSWERS_EVERY.items():
        for index, (bulletin, day) in enumerate(zip(bulletins, days, strict=False)):
            if every == 1 or index % every != every - 1:
                training.answer(users[username].id, bulletin, day)


# The peer team's public profiles, in their own (invented) words: username -> name shown,
# background, whom they serve.
PROFILES = {
    "peer.north": (
        "Kelly G.",
        "Patrol officer for 14 years, field training officer, and the first on scene at the "
        "Route 9 crash. I know what a bad call does to your sleep.",
        ["members", "families"],
    ),
    "peer.investigations": (
        "Luis O.",
        "Detective, 19 years, ten of them in crimes against children. Sober since 2015. "
        "Habla español.",
        ["members", "retirees"],
    ),
    "peer.support": (
        "Renee W.",
        "Dispatcher for 22 years before moving to support services. Shift work, money, and "
        "keeping a family going around a roster.",
        ["members", "families"],
    ),
    "clinician": (
        "Dr. Hannah Cho",
        "Licensed clinical psychologist who has worked with first responders for 12 years: "
        "trauma, grief, and nightmares after hard calls.",
        ["members", "families", "retirees"],
    ),
    "chaplain": (
        "Rev. Paul Adeyemi",
        "Department chaplain since 2011. For members of any faith or none, their families, and "
        "our retirees.",
        ["members", "families", "retirees"],
    ),
}


def _public_profiles(users: dict[str, User]) -> None:
    """Publish the demo counselors' profiles (the coordinator's stays unpublished)."""
    for username, (name, background, serves) in PROFILES.items():
        directory.save_profile(
            users[username], directory.ProfileFields(True, name, background, serves)
        )


def _program_defaults() -> None:
    """Check-in plans, a few resources and an on-call number, so every page has something."""
    ensure_default_templates()
    db.session.add_all(
        [
            Resource(
                name="Employee Assistance Program",
                kind="EAP",
                contact="555-0150",
                notes="Six free sessions a year for members and their households; 24/7 line; "
                "financial and legal counselling too.",
                public=True,
                phone="555-0150",
                topics=[],
            ),
            Resource(
                name="First Responder Recovery Program",
                kind="treatment program",
                contact="555-0160",
                notes="Residential and outpatient; confidential intake.",
                public=True,
                phone="555-0160",
                topics=["alcohol", "critical incident"],
            ),
            Resource(
                name="Department chaplaincy",
                kind="chaplain",
                contact="555-0170",
                public=True,
                phone="555-0170",
                topics=["grief", "family"],
            ),
            Resource(
                name="988 Suicide & Crisis Lifeline",
                kind="other",
                notes="Any time, free and confidential. Press 1 for the Veterans Crisis Line.",
                public=True,
                phone="988",
                text_number="988",
                topics=["crisis"],
            ),
            Resource(
                name="Police family support line (demo)",
                kind="other",
                notes="For spouses, partners and children of members, run by other police "
                "families. Evenings and weekends.",
                public=True,
                phone="555-0180",
                text_number="555-0181",
                topics=["family", "stress"],
            ),
            Resource(
                name="Retired officers' association (demo)",
                kind="other",
                notes="Monthly meet-ups and a phone tree for members after they leave the job.",
                public=True,
                phone="555-0190",
                topics=["retirement"],
            ),
            Resource(
                name="Sleep clinic, City Hospital (demo)",
                kind="clinician",
                contact="555-0130",
                notes="Shift-work sleep problems and nightmares; referral not needed.",
                public=True,
                phone="555-0130",
                topics=["sleep"],
            ),
        ]
    )
    crisis.save(
        current_app.instance_path,
        crisis.CrisisNumbers("Peer support on-call (demo)", "555-0199", ""),
    )


def describe(logins: list[DemoLogin]) -> str:
    """What ``demo`` prints: the shared password, each login's roles and authenticator secret,
    and how to get a code."""
    lines = [f"Demo agency ready. Every demo password is: {DEMO_PASSWORD}", ""]
    lines.append(f"{'username':<22}{'roles':<30}authenticator secret (staff only)")
    for login in logins:
        lines.append(f"{login.username:<22}{login.roles:<30}{login.totp_secret or '-'}")
    lines += [
        "",
        "Staff roles need a 6-digit code: add the secret to an authenticator app, or run",
        '  .venv/bin/python -c "import pyotp,sys; print(pyotp.TOTP(sys.argv[1]).now())" SECRET',
    ]
    return "\n".join(lines)
