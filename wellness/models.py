"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""

from sqlalchemy import Engine, event

from wellness.accounts.models import CounselorProfile, LoginSession, RoleGrant, User, UserRole
from wellness.agency.models import Unit
from wellness.audit.models import AccessLogEntry, AuditHead
from wellness.cases.models import Case, CaseEvent, CaseKey, Message, Note
from wellness.checkins.models import CheckIn, Outbox, PlanTemplate
from wellness.incidents.models import Incident
from wellness.jobs import DailyRun
from wellness.keys.models import CaseIndex, IndexInbox, RecoveryKey, RetiredUserKey
from wellness.library.models import Article
from wellness.main.models import HeldPage, UsedToken
from wellness.notifications.models import Notification, PushSubscription
from wellness.program.models import AgencyText, Resource
from wellness.referrals.models import Receipt
from wellness.statistics.models import ArchivedCase, Release
from wellness.training.models import (
    Bulletin,
    BulletinAnswer,
    PolicyAcknowledgment,
    PolicyReminder,
    PolicyVersion,
)

__all__ = [
    "DailyRun",
    "Bulletin",
    "BulletinAnswer",
    "PolicyAcknowledgment",
    "PolicyReminder",
    "PolicyVersion",
    "Article",
    "PushSubscription",
    "HeldPage",
    "UsedToken",
    "AccessLogEntry",
    "AgencyText",
    "ArchivedCase",
    "AuditHead",
    "CaseEvent",
    "CaseIndex",
    "RoleGrant",
    "CheckIn",
    "Note",
    "Outbox",
    "PlanTemplate",
    "Resource",
    "Case",
    "CaseKey",
    "CounselorProfile",
    "Incident",
    "IndexInbox",
    "LoginSession",
    "Message",
    "Notification",
    "Receipt",
    "Release",
    "RecoveryKey",
    "RetiredUserKey",
    "Unit",
    "User",
    "UserRole",
]


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record) -> None:  # type: ignore[no-untyped-def]
    # SQLite ignores foreign keys unless asked, per connection.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows (shredded keys) are overwritten in the file, not left in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
