"""Database models. One module per thing an insurer's staff would name."""
from .activation import ActivationCode, ActivationGuess
from .audit import AuditEntry
from .auth_session import AuthSession, CeremonyChallenge
from .card import EligibilityCard
from .import_batch import ImportBatch, import_batch_member
from .insurer import Insurer
from .member import CopayRatio, Eligibility, Member
from .passkey import PasskeyCredential
from .revocation import RevocationEntry
from .signing_key import SigningKeyRecord
from .status_slot import StatusCounter, StatusPublication, StatusSlot
from .staff import INSURER_ROLES, PERMISSIONS, ROLES, Staff, StaffInvite, staff_insurer
from .trust_list_snapshot import TrustListSnapshot, TrustListState

__all__ = ["ActivationCode", "ActivationGuess", "AuditEntry", "AuthSession", "CeremonyChallenge", "EligibilityCard", "ImportBatch", "import_batch_member", "Insurer", "Member",
           "Eligibility", "CopayRatio", "PasskeyCredential", "RevocationEntry",
           "SigningKeyRecord", "INSURER_ROLES", "PERMISSIONS", "ROLES", "Staff", "StaffInvite", "staff_insurer", "TrustListSnapshot", "TrustListState",
           "StatusCounter", "StatusPublication", "StatusSlot"]
