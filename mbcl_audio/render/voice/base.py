"""The contract every speech backend meets, and the one error type they raise."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from ...errors import VoiceError

__all__ = ["VoiceBackend", "VoiceError"]


@runtime_checkable
class VoiceBackend(Protocol):
    """A text-to-speech engine configured for one voice and one language.

    Attributes:
        name: Short voice name as used in scripts and on the command line,
            e.g. ``"espeak"`` or ``"piper-joe"``.
        language: Language tag of the text the voice speaks, e.g. ``"nl"``.
        sample_rate: Native output rate of :meth:`synthesize` (Hz).
    """

    name: str
    language: str
    sample_rate: int

    def identity(self) -> str:
        """Everything that determines the sound, as one stable string.

        Includes the engine and its version, the model's identity (a content
        hash for model files), the language and every setting that changes
        the output. Two backends with equal identities must produce the same
        audio for the same text (up to the engine's own randomness): the
        speech cache uses this string as key material.
        """
        ...

    def synthesize(self, text: str) -> np.ndarray:
        """Speak ``text``.

        Returns:
            np.ndarray [shape=(n,)], float32 mono samples at :attr:`sample_rate`,
            values in ``[-1, 1]``. May be empty if the text has nothing to say.

        Raises:
            VoiceError: if the engine fails.
        """
        ...
