"""Fixed values of the citizen mailbox; the tunable ones are settings (PETITIONS_*)."""

#: Case numbers: ROC year, a dash, six digits (115-000123).
CASE_SERIAL_DIGITS = 6
MAX_CASE_SERIAL = 10**CASE_SERIAL_DIGITS - 1

#: The confirmation link is valid this long.
CONFIRMATION_HOURS = 24

#: At most this many attachments on the public form.
MAX_PUBLIC_ATTACHMENTS = 3
#: Default largest attachment on the public form (setting PETITIONS_MAX_ATTACHMENT_BYTES).
MAX_PUBLIC_ATTACHMENT_BYTES = 5 * 1024 * 1024

#: Query codes: 10 characters from an alphabet without look-alikes (0/O, 1/I/L).
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 10
