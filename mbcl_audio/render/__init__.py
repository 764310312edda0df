"""Render stage: speech, pacing tone and background bed mixed into one stereo source."""
