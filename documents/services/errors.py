"""Errors of the sign-off engine."""


class SignOffError(Exception):
    """A sign-off action that cannot be taken in the chain's current state."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StepAlreadyHandled(SignOffError):
    """The step is no longer pending (already acted on, e.g. a double submit)."""
