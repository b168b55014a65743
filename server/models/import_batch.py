"""取込バッチ: one member CSV import that wrote to the register, and the members in its file
(so the office can print the notices of one import)."""
from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

#: The members named by a batch's file (created, updated or unchanged), one row each.
import_batch_member = Table(
    "import_batch_member", db.metadata,
    Column("batch_id", ForeignKey("import_batch.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True))


class ImportBatch(db.Model):
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[int] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(80))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
