"""Session keys and names of the MFA part."""

# Between the first and the second factor: {"uid", "backend", "method", "at", "next", "fails",
# "device"} (see accounts.mfa.flow).
SESSION_PENDING = "mol_mfa_pending"
# Unix time of the login and of the last request seen (idle timeout, absolute lifetime).
SESSION_LOGIN_AT = "mol_login_at"
SESSION_SEEN_AT = "mol_seen_at"
# Set at a password login when the password is older than PASSWORD_MAX_AGE_DAYS.
SESSION_PASSWORD_EXPIRED = "mol_password_expired"  # noqa: S105 - a session key name
# Unix time when the second-factor policy was last found not to apply to this session.
SESSION_MFA_CHECKED_AT = "mol_mfa_checked_at"
# Freshly generated backup codes, shown once and then removed from the session.
SESSION_NEW_BACKUP_CODES = "mol_new_backup_codes"

# Name of the django-otp devices this part creates.
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup-codes"

# last_seen / idle bookkeeping is written at most this often (seconds).
SEEN_WRITE_INTERVAL = 60
# How long a "second factor not needed" decision is trusted before it is checked again.
MFA_RECHECK_SECONDS = 60
