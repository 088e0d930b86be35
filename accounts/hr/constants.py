"""Fixed values of the HR sync: feed columns, limits and SCIM schema names."""

# Columns (CSV header names, JSON keys) of the HR feed, in the documented order.
FEED_FIELDS = (
    "employee_number",
    "username",
    "name_zh",
    "name_en",
    "unit_code",
    "title",
    "email",
    "mobile",
    "status",
    "effective_date",
    "unit_role",
)
# A feed without these columns (CSV header) is refused whole.
REQUIRED_COLUMNS = ("employee_number", "unit_code", "status", "effective_date")
# Other spellings accepted in a CSV header or as JSON keys.
FIELD_ALIASES = {
    "job_title": "title",
    "unit": "unit_code",
    "employment_status": "status",
    "emp_no": "employee_number",
    "unit_officer": "unit_role",
}

# A feed larger than this is refused (a runaway export, or not a feed at all).
MAX_FEED_BYTES = 64 * 1024 * 1024
# Row errors kept on the run record (the count is always exact).
MAX_STORED_ERRORS = 1000
# Row lines printed by ``manage.py hr_sync`` before "... and N more".
MAX_PRINTED_LINES = 500

# core.locks.single_flight name, so that two feed syncs never overlap.
LOCK_NAME = "accounts.hr-sync"

# Who the audit log names for changes made by the HR sync.
ACTOR_FEED = "hr-sync"
ACTOR_SCIM = "hr-scim"

# SCIM 2.0 (RFC 7643/7644).
SCIM_CONTENT_TYPE = "application/scim+json"
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCIM_MOL = "urn:mol:gov:tw:params:scim:schemas:extension:hr:2.0:User"
SCIM_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SCIM_SPC = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
SCIM_DEFAULT_COUNT = 100
SCIM_MAX_COUNT = 500
