"""The generated narrator session, shared with tests/render/voice (the takes voice)."""

from narrator_session import recorded_session, takes_dir  # noqa: F401  (fixtures)
