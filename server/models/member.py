from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, orm
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..token_core.claims import Copay, Relationship, Sex
from .insurer import Insurer
from .columns import IntEnumType, one_of


#: a search key: byte order on PostgreSQL too (C collation), so a prefix is an index range
SEARCH_KEY = String(200).with_variant(String(200, collation="C"), "postgresql")


class Member(db.Model):
    """加入者: an insured person (本人) or a dependent (家族) linked to them.

    Insured person and dependents share 記号・番号 and differ by 枝番.
    Only the last 4 digits of the My Number are ever stored.
    """
    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("insurer_id", "symbol", "number", "branch",
                                       name="uq_member_identity"),
                      one_of("relationship", Relationship, "ck_member_relationship"),
                      one_of("sex", Sex, "ck_member_sex"))
    id: Mapped[int] = mapped_column(primary_key=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurer.id"))
    symbol: Mapped[str] = mapped_column(String(40), default="")      # 記号
    number: Mapped[str] = mapped_column(String(40))                  # 番号
    branch: Mapped[str] = mapped_column(String(2), default="")       # 枝番
    relationship: Mapped[Relationship] = mapped_column(IntEnumType(Relationship))  # 1 本人, 2 家族
    insured_person_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))                   # 氏名
    name_kana: Mapped[str] = mapped_column(String(100), default="")  # フリガナ
    sex: Mapped[Sex] = mapped_column(IntEnumType(Sex))                # 1 男, 2 女, 3 未設定
    birth_date: Mapped[date] = mapped_column()
    mynumber_last4: Mapped[str | None] = mapped_column(String(4))
    limit_category: Mapped[str | None] = mapped_column(String(3))    # 限度額適用区分
    limit_consent: Mapped[bool] = mapped_column(default=False)       # shared only with consent
    limit_consent_at: Mapped[int | None] = mapped_column()
    created_at: Mapped[int | None] = mapped_column()
    updated_at: Mapped[int | None] = mapped_column()
    webauthn_handle: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)  # passkey user.id
    # 送付先 (optional, for the window envelope): personal data, never logged
    postal_code: Mapped[str | None] = mapped_column(String(8))      # 郵便番号 "123-4567"
    address1: Mapped[str | None] = mapped_column(String(100))       # 住所1
    address2: Mapped[str | None] = mapped_column(String(100))       # 住所2（建物名）
    addressee: Mapped[str | None] = mapped_column(String(100))      # 宛名 (default: the name)
    # name and フリガナ folded for search (register/search_keys.py), matched by prefix
    name_key: Mapped[str] = mapped_column(SEARCH_KEY, default="", server_default="", index=True)
    kana_key: Mapped[str] = mapped_column(SEARCH_KEY, default="", server_default="", index=True)

    insurer: Mapped[Insurer] = orm.relationship()
    insured_person: Mapped[Member | None] = orm.relationship(remote_side=[id], back_populates="dependents")
    dependents: Mapped[list[Member]] = orm.relationship(back_populates="insured_person")
    eligibilities: Mapped[list[Eligibility]] = orm.relationship(
        back_populates="member", order_by="Eligibility.acquired_on", cascade="all, delete-orphan")
    copay_ratios: Mapped[list[CopayRatio]] = orm.relationship(
        order_by="CopayRatio.effective_from", cascade="all, delete-orphan")
    cards: Mapped[list["EligibilityCard"]] = orm.relationship(
        order_by="EligibilityCard.id", cascade="all, delete-orphan")

    @property
    def eligibility(self) -> Eligibility | None:
        """The current (latest) eligibility period."""
        return self.eligibilities[-1] if self.eligibilities else None

    def copay_on(self, day: date) -> CopayRatio | None:
        current = [c for c in self.copay_ratios if c.effective_from <= day]
        return current[-1] if current else None


class Eligibility(db.Model):
    """資格: one period of eligibility, from 資格取得 to 資格喪失.

    Each period has its own random ``revocation_seed``: a re-enrolment gets a fresh
    revocation id, so its new tokens are not caught by the old period's revocation.
    """
    __tablename__ = "eligibility"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    acquired_on: Mapped[date] = mapped_column()
    lost_on: Mapped[date | None] = mapped_column()
    loss_reason: Mapped[str | None] = mapped_column(String(200))
    revocation_seed: Mapped[bytes] = mapped_column(LargeBinary(16))
    #: the latest expiry of a version-1 phone token of this period (they are revoked by a
    #: revocation id in the trust list, version 2 by a status bit); None: none was issued
    v1_tokens_until: Mapped[int | None] = mapped_column()

    member: Mapped[Member] = orm.relationship(back_populates="eligibilities")

    def active_on(self, day: date) -> bool:
        return self.acquired_on <= day and (self.lost_on is None or day < self.lost_on)


class CopayRatio(db.Model):
    """一部負担金の割合 and the day it took effect (発効期日)."""
    __tablename__ = "copay_ratio"
    __table_args__ = (one_of("ratio", Copay, "ck_copay_ratio_ratio"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    ratio: Mapped[Copay] = mapped_column(IntEnumType(Copay))  # percent: 10, 20, 30
    effective_from: Mapped[date] = mapped_column()
