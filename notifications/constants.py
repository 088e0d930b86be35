"""Names shared by the services, tasks and tests of the notifications app."""

TASK_DELIVER = "notifications.deliver"
TASK_RELAY_DUE = "notifications.relay_due"
TASK_SEND_DIGESTS = "notifications.send_digests"
TASK_EXPIRE = "notifications.expire_notices"
TASK_PURGE = "notifications.purge_old"

RELAY_LOCK = "notifications.relay"
DIGEST_LOCK = "notifications.digest"

#: Scope an OAuth2 client-credentials token needs to call POST /api/v1/notifications/.
SCOPE_SEND = "notifications:send"
#: Scope of a person's SSO access token that may read their desktop-agent feed.
SCOPE_FEED = "notifications:read"

#: Deliveries handed to one relay task at most (the rest go to further tasks).
RELAY_CHUNK = 100

#: Cache key set while a relay task is queued and not started yet (``services.outbox``):
#: commits of a few rows meanwhile publish nothing, the queued task sends them too.
RELAY_QUEUED_KEY = "notifications:relay-queued"
#: How long the flag holds at most (a task that never starts stops blocking publishes).
RELAY_QUEUED_SECONDS = 60

#: How long a gunicorn worker trusts a client-credentials token (and its sender
#: registration) it has checked, without asking the database again (seconds). A token
#: revoked or a sender switched off elsewhere is refused within this time.
API_AUTH_CACHE_SECONDS = 5
