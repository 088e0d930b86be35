"""Names and limits shared by the monitoring services, tasks and tests."""

TASK_RUN_DUE = "monitoring.run_due"
TASK_ESCALATE = "monitoring.escalate"
TASK_HEARTBEATS = "monitoring.heartbeats_sweep"
TASK_ROLLUP = "monitoring.rollup"
TASK_WEBHOOK = "monitoring.webhook"
TASK_SELF_SYNC = "monitoring.self_sync"

ROLLUP_LOCK = "monitoring.rollup"
ESCALATE_LOCK = "monitoring.escalate"

#: Seconds a claimed check stays claimed: longer than any check's timeout times its retries.
CLAIM_SECONDS = 120
#: Most checks one run claims (the task then re-queues itself while more are due).
CLAIM_BATCH = 500
#: Bytes of a ping's body that are kept.
PING_BODY_BYTES = 10_000
#: Length of the message kept with a result.
MESSAGE_LENGTH = 300
#: Code of the group the portal's own checks belong to.
SELF_GROUP = "portal"
#: The portal's own checks: a heartbeat per beat entry has this prefix to its slug.
BEAT_SLUG_PREFIX = "beat:"
#: Salt of the signed acknowledgement links in alerts.
ACK_SALT = "monitoring.ack"
