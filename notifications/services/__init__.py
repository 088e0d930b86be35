"""Writes of the notifications app. Other apps call these (never the models):

- ``notify(recipients=, kind=, template=, obj=, context=, ...)`` and ``notice_resolve(obj=)``;
- ``outbox_email(to=, subject=, text=, html=, message_id=, reply_to=, headers=, source=, ...)``
  and ``outbox_sms(to=, text=, ...)`` for messages to any address (citizens included);
- ``delivery_bounced(message_id=, reason=)`` when a bounce comes back;
- ``deliveries_erase(source=)`` when what a message was about is anonymised.
"""

from .api import api_message_create
from .feed import feed_token_create, feed_token_revoke, feed_user_for_token
from .notices import (
    digests_send,
    notice_open,
    notice_resolve,
    notices_expire,
    notices_mark,
    notices_purge,
    notify,
)
from .outbox import (
    deliveries_relay,
    delivery_bounced,
    delivery_send,
    new_message_id,
    outbox_email,
    outbox_sms,
    sms_report,
)
from .preferences import preference_for, preference_update
from .retention import deliveries_erase

__all__ = [
    "api_message_create",
    "deliveries_erase",
    "deliveries_relay",
    "delivery_bounced",
    "delivery_send",
    "digests_send",
    "feed_token_create",
    "feed_token_revoke",
    "feed_user_for_token",
    "new_message_id",
    "notice_open",
    "notice_resolve",
    "notices_expire",
    "notices_mark",
    "notices_purge",
    "notify",
    "outbox_email",
    "outbox_sms",
    "preference_for",
    "preference_update",
    "sms_report",
]
