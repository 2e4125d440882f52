"""Chain-of-command rules over the unit tree. Pure: works on plain mappings, no Flask.

Routing (PRODUCT.md flow 4) must never send a referral to someone in the subject's chain of
command; these functions answer who that is, and keep the tree a tree.
"""

from __future__ import annotations

from collections.abc import Mapping


class UnitCycleError(ValueError):
    """Making a unit its own ancestor would turn the chain of command into a loop."""


def ancestors(unit_id: int, parent_of: Mapping[int, int | None]) -> list[int]:
    """Units above ``unit_id``, nearest first. ``parent_of`` maps unit id to parent id."""
    chain: list[int] = []
    seen = {unit_id}
    current = parent_of.get(unit_id)
    while current is not None:
        if current in seen:
            raise UnitCycleError(f"unit {current} is its own ancestor")
        seen.add(current)
        chain.append(current)
        current = parent_of.get(current)
    return chain


def check_new_parent(
    unit_id: int, new_parent: int | None, parent_of: Mapping[int, int | None]
) -> None:
    """Raise UnitCycleError if giving ``unit_id`` the parent ``new_parent`` would make a loop."""
    if new_parent is None:
        return
    if new_parent == unit_id or unit_id in ancestors(new_parent, parent_of):
        raise UnitCycleError("a unit cannot sit under itself or one of its own sub-units")


def supervisors_above(
    unit_id: int,
    parent_of: Mapping[int, int | None],
    supervisor_of: Mapping[int, int | None],
) -> list[int]:
    """User ids supervising ``unit_id`` and every unit above it, nearest first, no repeats."""
    result: list[int] = []
    for unit in [unit_id, *ancestors(unit_id, parent_of)]:
        supervisor = supervisor_of.get(unit)
        if supervisor is not None and supervisor not in result:
            result.append(supervisor)
    return result


def descendants(unit_id: int, parent_of: Mapping[int, int | None]) -> set[int]:
    """``unit_id`` and every unit below it (its sub-units, theirs, and so on)."""
    children: dict[int, list[int]] = {}
    for unit, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)
    found, todo = {unit_id}, [unit_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def units_under(
    user_id: int, parent_of: Mapping[int, int | None], supervisor_of: Mapping[int, int | None]
) -> set[int]:
    """Every unit ``user_id`` supervises, and every unit below those: the people who work
    under them."""
    headed = [unit for unit, boss in supervisor_of.items() if boss == user_id]
    return set().union(*(descendants(unit, parent_of) for unit in headed)) if headed else set()
