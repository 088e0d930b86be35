"""Names and limits of the e-paper app shared by its services, tasks and tests."""

#: Hours a double opt-in link stays valid.
OPT_IN_HOURS = 48
#: Version of the privacy notice the subscription form shows (recorded with each consent).
PRIVACY_VERSION = "2026-01"
#: core.sequences scope of an issue number: f"{ISSUE_NUMBER_SCOPE}:{newsletter.code}".
ISSUE_NUMBER_SCOPE = "epaper:issue"

TASK_SEND_ISSUE = "epaper.send_issue"
TASK_SEND_DUE = "epaper.send_due"
TASK_IMPORT_BOUNCES = "epaper.import_bounces"

SEND_LOCK = "epaper.send"
BOUNCE_LOCK = "epaper.import-bounces"
