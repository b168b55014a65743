from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Insurer(db.Model):
    """保険者: number (保険者番号), name (保険者名称) and the telephone members call (a locked
    activation code, a lost phone)."""
    __tablename__ = "insurer"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))        # 問い合わせ先電話番号
