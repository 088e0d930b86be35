"""Fixed values of the OpenID Connect provider and the rights API."""

# OpenID Connect Back-Channel Logout 1.0, section 2.4.
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_TYPE = "logout+jwt"  # noqa: S105 - a JWT "typ", not a secret
LOGOUT_TOKEN_LIFETIME_SECONDS = 120

# The role code that makes a person an administrator of *one* application: holders may assign
# and remove that application's roles through the rights API.
APPLICATION_ADMIN_ROLE = "admin"

# Custom claims beside the standard ones, and the scope each needs.
CLAIM_SCOPES = {
    "employee_number": "profile",
    "name_zh": "profile",
    "name_en": "profile",
    "unit": "profile",
    "job_title": "profile",
    "roles": "roles",
}

# The Celery task that POSTs one back-channel logout token (``accounts.oidc.tasks``), named so
# that ``accounts.oidc.backchannel`` queues it without importing the tasks module.
TASK_DELIVER_BACKCHANNEL_LOGOUT = "accounts.oidc.tasks.deliver_backchannel_logout"
