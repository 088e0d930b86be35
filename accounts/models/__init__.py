"""Models of the accounts app (one app label, ``accounts``), one module per concern:

- ``user``: the person (``User``);
- ``applications``: applications that sign in through the portal, roles, role assignments;
- ``officers``: heads and deputy heads of units (``UnitOfficer``);
- ``directories``: LDAP/AD groups and sync state;
- ``hr``: runs of the HR sync;
- ``credentials``: client certificates, password history;
- ``sessions``: signed-in browser sessions;
- ``launcher``: quick links and launcher usage;
- ``oidc``: subject identifiers, sign-ins at applications, back-channel logout deliveries.

Import them from ``accounts.models``.
"""

from .applications import Application, Role, RoleAssignment, role_code_validator
from .credentials import ClientCertificate, PasswordHistory
from .directories import DirectoryGroup, DirectorySyncState
from .hr import HRSyncRun
from .launcher import LauncherUsage, QuickLink
from .officers import UnitOfficer
from .oidc import ApplicationSignIn, BackchannelLogoutDelivery, SubjectIdentifier
from .sessions import UserSession
from .user import User, mobile_validator

__all__ = [
    "Application",
    "ApplicationSignIn",
    "BackchannelLogoutDelivery",
    "ClientCertificate",
    "DirectoryGroup",
    "DirectorySyncState",
    "HRSyncRun",
    "LauncherUsage",
    "PasswordHistory",
    "QuickLink",
    "Role",
    "RoleAssignment",
    "SubjectIdentifier",
    "UnitOfficer",
    "User",
    "UserSession",
    "mobile_validator",
    "role_code_validator",
]
