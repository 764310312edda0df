"""Moving a planned timeline: when a file does not start where the plan does (ACX trims and pads its ends)."""

from __future__ import annotations

from collections.abc import Sequence

from .model import Chapter


def shift_chapters(chapters: Sequence[Chapter], shift_samples: int, n_samples: int) -> tuple[Chapter, ...]:
    """Chapters moved by ``shift_samples`` (room tone put before, silence trimmed).

    A chapter that now starts before the track is dropped unless it is the
    last such one (it then opens the track); one that starts at or past the
    end is dropped. The first kept starts at 0 and each runs to the next.
    """
    starts = [(c.title, c.start_sample + shift_samples) for c in chapters]
    opening = max((k for k, (_, at) in enumerate(starts) if at <= 0), default=None)
    keep = [(title, at) for k, (title, at) in enumerate(starts) if (k == opening if at <= 0 else at < n_samples)]
    if keep:
        keep[0] = (keep[0][0], 0)
    stops = [at for _, at in keep[1:]] + [n_samples]
    return tuple(Chapter(title, at, stop) for (title, at), stop in zip(keep, stops) if stop > at)


def shift_spans(spans: Sequence[tuple[int, int]], shift_samples: int) -> tuple[tuple[int, int], ...]:
    """``(start, stop)`` spans moved by ``shift_samples``, cut at 0 (a span wholly before 0 is dropped)."""
    return tuple((max(a + shift_samples, 0), b + shift_samples) for a, b in spans if b + shift_samples > 0)
