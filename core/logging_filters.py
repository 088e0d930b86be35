"""Logging filters of the project's ``LOGGING`` setting."""

import logging


class ExpectedErrorsWithoutTraceback(logging.Filter):
    """On ``django.request``: answers below 500 (a 403 for a signed-in person who may not use
    a page, a 404) are expected outcomes, logged as one warning line without the exception's
    traceback. Server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
