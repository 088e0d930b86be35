"""The employee portal in the Django admin, one module per service."""

from . import (
    leave,  # noqa: F401
    loans,  # noqa: F401
    payslips,  # noqa: F401
    procurement,  # noqa: F401
    repair,  # noqa: F401
    rooms,  # noqa: F401
    supplies,  # noqa: F401
)
