"""Generated scripts, hostile values included: the parser and the planner answer with a result or the
project's own error, never another exception. A bounded run; ``benchmarks/fuzz.py`` runs 100,000."""

from __future__ import annotations

from fuzz_scripts import parse_outcome, plan_outcome, scripts
from hypothesis import HealthCheck, given, settings


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_any_script_parses_or_gives_a_project_error(text):
    assert parse_outcome(text) in ("ok", "error"), text


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(scripts())
def test_any_script_plans_at_its_ends_or_gives_a_project_error(text):
    assert plan_outcome(text) in ("ok", "error"), text
