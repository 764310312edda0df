"""The download set: every track of a language built in one call, incrementally and in parallel,
and packaged for participants (transcripts, playlists per course week, manifest, zip).

:func:`build_set` is the library call beside :func:`mbcl_audio.build.build_track`;
``mbcl-audio build-set`` is the command over it.
"""

from .runner import LENGTH_CHOICES, SetOptions, SetResult, TrackJob, TrackOutcome, build_set, plan_set

__all__ = ["LENGTH_CHOICES", "SetOptions", "SetResult", "TrackJob", "TrackOutcome", "build_set", "plan_set"]
