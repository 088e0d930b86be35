"""Fixed values of the citizen mailbox; the tunable ones are settings (PETITIONS_*)."""

#: Case numbers: ROC year, a dash, six digits (115-000123).
CASE_SERIAL_DIGITS = 6
MAX_CASE_SERIAL = 10**CASE_SERIAL_DIGITS - 1
#: The ``core.sequences`` counter the case numbers come from (one per ROC year).
CASE_NUMBER_SCOPE = "petitions:case"

#: The confirmation link is valid this long.
CONFIRMATION_HOURS = 24

#: At most this many attachments on the public form.
MAX_PUBLIC_ATTACHMENTS = 3

#: Query codes: 10 characters from an alphabet without look-alikes (0/O, 1/I/L).
QUERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_CODE_LENGTH = 10

#: What anonymisation writes in place of the citizen's data.
ANONYMISED_NAME = "（已匿名）"
ANONYMISED_TEXT = "[anonymised]"

#: Celery task names: ``tasks.py`` registers them, services enqueue by them
#: (``services.queue``), the beat schedule names them.
TASK_SEND_CITIZEN_MAIL = "petitions.send_citizen_mail"
TASK_SEND_OUTBOUND_MAIL = "petitions.send_outbound_mail"
TASK_REGISTER_CONFIRMED = "petitions.register_confirmed"
TASK_REGISTER_DUE = "petitions.register_due"
TASK_IMPORT_MAIL = "petitions.import_mail"
TASK_SEND_REMINDERS = "petitions.send_reminders"
TASK_SEND_REMINDER = "petitions.send_reminder"
TASK_ANONYMISE_EXPIRED = "petitions.anonymise_expired"

#: The purpose of the chain template a reply is signed off along (``documents``); migration
#: 0007 seeds the default: the head of the case's handling unit.
REPLY_PURPOSE = "petitions.reply"
REPLY_TEMPLATE_CODE = "petitions-reply"

#: ``core.locks.single_flight`` name of the mail import.
IMPORT_MAIL_LOCK = "petitions.import-mail"
REGISTER_LOCK = "petitions.register-due"
#: A confirmed case still unregistered after this long is registered by the sweep.
REGISTER_GRACE_SECONDS = 60

#: Asking for the confirmation link again: petitions submitted in the last so many days, at
#: most so many per request.
RESEND_WINDOW_DAYS = 7
RESEND_MAX = 3
