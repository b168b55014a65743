from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class TrustListSnapshot(db.Model):
    """A signed trust list as served. Re-signed when its content changes or it ages."""
    __tablename__ = "trust_list_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[int] = mapped_column()
    document: Mapped[str] = mapped_column(Text)
