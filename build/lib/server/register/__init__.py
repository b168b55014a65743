"""The member register (加入者台帳): validation, household rules, 和暦, every write to members
(forms and CSV import alike), the audit trail and revocations."""
