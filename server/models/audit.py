from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class AuditEntry(db.Model):
    """監査記録: who changed what, when, with the values before and after.

    Lives in the database only (access-controlled, like the register itself); application
    logs never carry 記号・番号 or names.
    """
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[int] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(80))          # "staff:3 a@example.jp", "cli", "member:5"
    action: Mapped[str] = mapped_column(String(60))         # "member.create", "member.loss", ...
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(index=True)
    #: whose record it is: insurer staff see their insurers' entries; an entry of no single
    #: insurer (an operator's change, staff or a key of several insurers) only operators see
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurer.id"), index=True)
    before_json: Mapped[str | None] = mapped_column(Text)
    after_json: Mapped[str | None] = mapped_column(Text)
