"""The program's configuration the coordinator keeps: the directory of outside resources a case
can be referred to, and the check-in plans counselors schedule from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wellness.checkins import rules
from wellness.checkins.models import PlanTemplate
from wellness.extensions import db
from wellness.program.models import Resource
from wellness.transaction import use_case


class PlanNameTakenError(ValueError):
    """Another plan has that name."""


@dataclass(frozen=True)
class ResourceFields:
    name: str
    kind: str
    contact: str = ""
    notes: str = ""
    active: bool = True
    public: bool = False
    topics: tuple[str, ...] = ()
    phone: str = ""
    text_number: str = ""


def resources(listed_only: bool = False) -> list[Resource]:
    """Every resource (or only those listed for counselors), by kind and name."""
    query = select(Resource).order_by(Resource.kind, Resource.name)
    if listed_only:
        query = query.where(Resource.active.is_(True))
    return list(db.session.scalars(query))


def public_resources(topic: str | None = None) -> list[Resource]:
    """The resources listed publicly (/resources), by kind and name; with ``topic``, those for
    it (and those for everyone: no topic given)."""
    found = db.session.scalars(
        select(Resource)
        .where(Resource.active.is_(True), Resource.public.is_(True))
        .order_by(Resource.kind, Resource.name)
    )
    return [r for r in found if topic is None or not r.topics or topic in r.topics]


def plans() -> list[PlanTemplate]:
    """Every check-in plan template, by name."""
    return list(db.session.scalars(select(PlanTemplate).order_by(PlanTemplate.name)))


@use_case
def save_resource(resource: Resource | None, fields: ResourceFields) -> Resource:
    """Add a resource (``resource`` None) or change one."""
    resource = resource or Resource()
    resource.name, resource.kind = fields.name.strip(), fields.kind
    resource.contact, resource.notes = fields.contact.strip(), fields.notes.strip()
    resource.active = fields.active
    resource.public, resource.topics = fields.public, list(fields.topics)
    resource.phone, resource.text_number = fields.phone.strip(), fields.text_number.strip()
    db.session.add(resource)
    return resource


@use_case
def save_plan(plan: PlanTemplate | None, name: str, offsets: str) -> PlanTemplate:
    """Add a plan (``plan`` None) or change one; rules.PlanError or PlanNameTakenError if the
    offsets do not make a plan or the name is another plan's."""
    hours = rules.parse_offsets(offsets)
    name = name.strip()
    clash = db.session.scalar(select(PlanTemplate).where(PlanTemplate.name == name))
    if clash is not None and clash is not plan:
        raise PlanNameTakenError("Another plan has that name.")
    plan = plan or PlanTemplate()
    plan.name, plan.offsets_hours = name, ",".join(map(str, hours))
    db.session.add(plan)
    return plan
