"""Managing the unit tree (admin)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from wellness import characters
from wellness.agency import chain
from wellness.agency.models import Unit
from wellness.extensions import db
from wellness.transaction import use_case


class UnitError(Exception):
    """A unit change that cannot be made; the message is safe to show."""


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    depth: int


def parent_map() -> dict[int, int | None]:
    """Every unit's parent unit (None at the top): the tree as the chain rules take it."""
    return {unit: parent for unit, parent in db.session.execute(select(Unit.id, Unit.parent_id))}


def supervisor_map() -> dict[int, int | None]:
    """Every unit's supervisor's account id (None if it has none), for the chain rules."""
    return {unit: boss for unit, boss in db.session.execute(select(Unit.id, Unit.supervisor_id))}


def units_in_tree_order() -> list[UnitRow]:
    """Every unit, each followed by its sub-units, with its depth for indentation."""
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    rows: list[UnitRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            rows.append(UnitRow(unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return rows


@use_case
def save_unit(
    unit: Unit | None, name: str, parent_id: int | None, supervisor_id: int | None
) -> Unit:
    """Create (``unit`` None) or update a unit, keeping names unique and the tree a tree."""
    if characters.refused(name):
        raise UnitError(characters.MESSAGE)
    name = name.strip()
    clash = db.session.scalar(select(Unit).where(Unit.name == name))
    if clash is not None and clash is not unit:
        raise UnitError("Another unit already has that name.")
    if unit is not None:
        try:
            chain.check_new_parent(unit.id, parent_id, parent_map())
        except chain.UnitCycleError as exc:
            raise UnitError(str(exc).capitalize() + ".") from exc
    else:
        unit = Unit()
        db.session.add(unit)
    unit.name, unit.parent_id, unit.supervisor_id = name, parent_id, supervisor_id
    db.session.flush()  # a new unit has its id at once: the next one may sit under it
    return unit
