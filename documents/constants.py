"""Fixed values of the document register."""

#: The ministry's own character(s) at the start of every document number (勞動部 → 勞動).
MINISTRY_PREFIX = "勞動"

#: Removed from the start of a unit's name before its character is taken for the prefix,
#: longest first (勞動力發展署 → 發, 勞工保險局 → 保).
UNIT_NAME_LEADERS = ("勞動及", "勞動力", "勞動", "勞工")

#: Serial numbers have seven digits: 勞動資字第1150000123號.
SERIAL_DIGITS = 7
MAX_SERIAL = 10**SERIAL_DIGITS - 1

#: Default maximum number of attachments per upload.
MAX_ATTACHMENTS = 10

#: Registers documents for the units in scope (held everywhere by system accounts).
ROLE_REGISTRAR = "documents.registrar"
