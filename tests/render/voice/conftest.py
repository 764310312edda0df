"""The generated narrator session, shared with tests/takes (the narrator's workflow)."""

from narrator_session import recorded_session, takes_dir  # noqa: F401  (fixtures)
