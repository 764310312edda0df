"""The one base class of every error a producer can act on.

The CLI prints an :class:`MbclError` as a single ``error: ...`` line and exits
1; anything else is a bug and keeps its traceback.
"""


class MbclError(Exception):
    """A problem with the input or the environment, with a message that says what to do."""


class BuildError(MbclError, RuntimeError):
    """A built track failed its measurement after encoding; nothing was written."""
