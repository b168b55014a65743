from __future__ import annotations

import json

from sqlalchemy import Column, ForeignKey, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .insurer import Insurer

#: operator: runs the deployment (insurers, keys of every insurer, the trust list, staff of
#: every insurer, the whole audit trail) and never opens a member's record. admin: an
#: insurer's register, CSV imports, keys and staff, for the insurers in scope. clerk: the
#: register and notices for the insurers in scope.
ROLES = ("clerk", "admin", "operator")
INSURER_ROLES = ("clerk", "admin")

#: What each role may do; views are guarded by one of these (server/auth/staff_session.py).
PERMISSIONS = {
    "register": {"clerk", "admin"},          # search, member pages, enrol, print, losses
    "import": {"admin"},                     # CSV imports of members and losses
    "keys": {"admin", "operator"},           # rotate and revoke signing keys
    "staff": {"admin", "operator"},          # invite, sign out, disable staff
    "audit": {"clerk", "admin", "operator"},
    "insurers": {"operator"},
}

staff_insurer = Table(
    "staff_insurer", db.metadata,
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("insurer_id", ForeignKey("insurer.id"), primary_key=True, index=True))


class Staff(db.Model):
    """職員: signs in with passkeys only. An operator's scope is every insurer; a clerk's
    or an insurer admin's scope is the insurers in ``insurers`` (one or more)."""
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    user_handle: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)   # WebAuthn user.id
    created_at: Mapped[int] = mapped_column()
    disabled_at: Mapped[int | None] = mapped_column()
    insurers: Mapped[list[Insurer]] = relationship(secondary=staff_insurer, order_by=Insurer.number,
                                                   lazy="selectin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_operator(self) -> bool:
        return self.role == "operator"

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]

    @property
    def insurer_numbers(self) -> list[str]:
        return [i.number for i in self.insurers]


class StaffInvite(db.Model):
    """A one-time, expiring link to register a staff member's first passkey. Hash only."""
    __tablename__ = "staff_invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10))
    insurers_json: Mapped[str | None] = mapped_column(Text)     # insurer numbers of the scope
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[int] = mapped_column()
    expires_at: Mapped[int] = mapped_column()
    used_at: Mapped[int | None] = mapped_column()
    invited_by: Mapped[str] = mapped_column(String(80))

    @property
    def insurer_numbers(self) -> list[str]:
        return json.loads(self.insurers_json) if self.insurers_json else []
