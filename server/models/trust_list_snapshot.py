from sqlalchemy import BigInteger, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..extensions import db


class TrustListSnapshot(db.Model):
    """A signed trust list as served: its text, gzip bytes and ETag, stored once when signed.

    ``content_version`` is the TrustListState version it was built from and ``valid_until``
    the first moment its content could change by time alone (a revocation taking effect, a
    retired key's last token expiring) or it is due for re-signing; until either moves, every
    worker serves these bytes as they are (server/keys/publishing.py). Old snapshots are pruned.
    """
    __tablename__ = "trust_list_snapshot"
    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[int] = mapped_column()
    document: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    document_gzip: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    etag: Mapped[str | None] = mapped_column(String(64))
    content_version: Mapped[int | None] = mapped_column(BigInteger)
    valid_until: Mapped[int | None] = mapped_column()


class TrustListState(db.Model):
    """One row: ``version`` goes up in the same transaction as any change to what the trust
    list says (an insurer, a signing key, a revocation), so a worker knows its stored list is
    current by reading one integer."""
    __tablename__ = "trust_list_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)

    @classmethod
    def bump(cls, session) -> int:
        """Raise the version in the session's transaction; returns the new value. The row stays
        locked until commit, so changing transactions get their versions in commit order."""
        session.info["trust_list_changed"] = True
        version = session.connection().execute(db.update(cls).where(cls.id == 1).values(
            version=cls.version + 1).returning(cls.version)).scalar_one()
        session.info["trust_list_version"] = version
        return version

    @classmethod
    def bumped(cls, session) -> int:
        """A version this transaction raised the row to (bumping once if it has not): every
        change stamped with it commits with the transaction, at or below the final version."""
        return session.info.get("trust_list_version") or cls.bump(session)
