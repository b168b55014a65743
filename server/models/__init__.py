"""Database models. One module per thing an insurer's staff would name."""
from .insurer import Insurer
from .member import CopayRatio, Eligibility, Member
from .signing_key import SigningKeyRecord
from .revocation import RevocationEntry
from .trust_list_snapshot import TrustListSnapshot

__all__ = ["Insurer", "Member", "Eligibility", "CopayRatio", "SigningKeyRecord",
           "RevocationEntry", "TrustListSnapshot"]
