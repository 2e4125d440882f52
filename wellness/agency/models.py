"""The agency's chain of command: units form a tree, each with a supervisor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wellness.extensions import db

if TYPE_CHECKING:
    from wellness.accounts.models import User

UNIT_NAME_MAX = 120


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(UNIT_NAME_MAX), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # use_alter: users also point at units, so one of the two keys is added after both tables.
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL")
    )

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])

    def __repr__(self) -> str:
        return f"<Unit {self.id}>"
