"""``{% notice_badge %}``: the unread badge of the intranet header (updated live by
``static/notifications/badge.js``)."""

from django import template
from django.conf import settings

from ..selectors import badge

register = template.Library()


@register.inclusion_tag("notifications/includes/badge.html", takes_context=True)
def notice_badge(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "badge": badge(user), "poll": settings.NOTIFICATIONS_POLL_SECONDS}
