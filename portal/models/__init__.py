"""Models of the employee portal (員工入口網), one module per service; every model is importable
from ``portal.models``."""

from .leave import *  # noqa: F401,F403
from .loans import *  # noqa: F401,F403
from .payslips import *  # noqa: F401,F403
from .procurement import *  # noqa: F401,F403
from .repair import *  # noqa: F401,F403
from .rooms import *  # noqa: F401,F403
from .supplies import *  # noqa: F401,F403
