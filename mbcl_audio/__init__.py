"""mbcl-audio: build the MBCL guided-meditation audio set from timed exercise scripts.

The pipeline runs one way, one subpackage per stage::

    script (parse) -> plan (timeline, length fitting) -> render (voice, pacing, bed)
    -> master (loudness, true-peak limiting) -> export (MP3, tags, chapters)

:func:`mbcl_audio.build.build_track` runs it end to end.
"""

__version__ = "0.1.0"

#: The one internal sample rate every stage works at (Hz).
SAMPLE_RATE = 44_100
