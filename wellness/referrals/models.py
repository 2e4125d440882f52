"""What anonymous referrals add to a case: the receipt."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from wellness.extensions import db


class Receipt(db.Model):
    """An anonymous referral's receipt, kept only as a bucket tag and a derived public key."""

    __tablename__ = "receipts"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[int] = mapped_column(Integer, index=True)
    kdf: Mapped[str] = mapped_column(String(120))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
