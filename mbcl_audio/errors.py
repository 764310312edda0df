"""The one base class of every error a producer can act on, and the errors more than one stage raises.

The CLI prints an :class:`MbclError` as a single ``error: ...`` line and exits
1; anything else is a bug and keeps its traceback.
"""


class MbclError(Exception):
    """A problem with the input or the environment, with a message that says what to do."""


class BuildError(MbclError, RuntimeError):
    """A built track failed its measurement after encoding; nothing was written."""


class VoiceError(MbclError, RuntimeError):
    """A voice cannot be created or cannot speak the given text.

    The message is meant for the person running the build: it names the
    voice, language, file or text concerned and, where possible, a fix.
    Raised by the speech engines and by recorded takes (an unreadable take or
    session recording), so it lives below both.
    """
