"""A plan as people read it: a text timeline, or a JSON-ready dict (``mbcl-audio plan``)."""

from __future__ import annotations

from ..units import format_duration
from .model import Event, Plan


def _seconds(samples: int, plan: Plan) -> float:
    return round(samples / plan.sample_rate, 4)


def _event_dict(e: Event, plan: Plan) -> dict:
    out = {
        "kind": e.kind,
        "start_s": _seconds(e.start_sample, plan),
        "duration_s": _seconds(e.duration_samples, plan),
        "start_sample": e.start_sample,
        "duration_samples": e.duration_samples,
    }
    if e.text:
        out["text"] = e.text
    if e.kind in ("pause", "silence"):
        out["min_s"] = _seconds(e.min_samples, plan)
        out["max_s"] = _seconds(e.max_samples, plan)
        out["slack_s"] = _seconds(e.duration_samples - e.min_samples, plan)
    if e.lead_samples:
        out["voice_onset_sample"] = e.onset_sample
    if e.kind == "speech" and e.onset_sample % plan.cycle_samples in (0, plan.in_samples):
        out["on_beat"] = _phase_name(e.onset_sample % plan.cycle_samples == 0, plan)
    if e.passage:
        out["passage"] = e.passage
    if e.source is not None:
        out["source"] = str(e.source)
    return out


def _phase_name(first: bool, plan: Plan) -> str:
    if plan.grid == "steps":
        return "first step" if first else "second step"
    return "in-breath" if first else "out-breath"


def plan_to_dict(plan: Plan) -> dict:
    """Everything ``plan --json`` prints: times in seconds and in samples."""
    return {
        "sample_rate": plan.sample_rate,
        "length_s": _seconds(plan.length_samples, plan),
        "length_samples": plan.length_samples,
        "reachable_min_s": _seconds(plan.min_length_samples, plan),
        "reachable_max_s": _seconds(plan.max_length_samples, plan),
        "grid": plan.grid,
        "cycle_samples": plan.cycle_samples,
        "in_breath_samples": plan.in_samples,
        "passages_included": list(plan.included_passages),
        "passages_left_out": [p for p in plan.all_passages if p not in plan.included_passages],
        "chapters": [
            {"title": c.title, "start_s": _seconds(c.start_sample, plan), "stop_s": _seconds(c.stop_sample, plan)}
            for c in plan.chapters
        ],
        "pacing_spans_s": [[_seconds(a, plan), _seconds(b, plan)] for a, b in plan.pacing_spans],
        "pacing": [_stretch_dict(st, plan) for st in plan.pacing],
        "events": [_event_dict(e, plan) for e in plan.events],
        "overlays": [_event_dict(e, plan) for e in plan.overlays],
        "warnings": [{"location": where, "message": what} for where, what in plan.warnings],
    }


def _breaths_per_minute(cycle_samples: int, plan: Plan) -> float:
    return round(60.0 * plan.sample_rate / cycle_samples, 3)


def _stretch_dict(st, plan: Plan) -> dict:
    return {
        "start_s": _seconds(st.start_sample, plan),
        "stop_s": _seconds(st.stop_sample, plan),
        "breaths_per_minute": _breaths_per_minute(st.cycle_samples, plan),
        "in_fraction": round(st.in_fraction, 4),
        "sound": st.sound,
        "ramp_from_breaths_per_minute": _breaths_per_minute(st.ramp_from_samples, plan) if st.ramp_samples else None,
        "ramp_s": _seconds(st.ramp_samples, plan) if st.ramp_samples else 0.0,
        "fade_from_s": _seconds(st.fade_span[0], plan) if st.fade_span else None,
    }


def _stretch_text(st, plan: Plan, t) -> str:
    rate = f"{_breaths_per_minute(st.cycle_samples, plan):g}/min"
    ramp = (
        f" from {_breaths_per_minute(st.ramp_from_samples, plan):g}/min over {t(st.ramp_samples)}" if st.ramp_samples else ""
    )
    ratio = f"{st.in_fraction * 10:g}:{(1 - st.in_fraction) * 10:g}"
    fade = f", fading from {t(st.fade_span[0])}" if st.fade_span else ""
    return f"{t(st.start_sample)}-{t(st.stop_sample)} ({st.sound}, {rate}{ramp}, in:out {ratio}{fade})"


def format_plan(plan: Plan) -> str:
    """A readable timeline: one line per event (overlaid speech indented), then the summary."""
    t = lambda samples: format_duration(samples / plan.sample_rate)  # noqa: E731
    lines = [
        f"length {t(plan.length_samples)}   reachable {format_duration(plan.min_length_samples / plan.sample_rate, 'up')}"
        f" to {format_duration(plan.max_length_samples / plan.sample_rate, 'down')}   grid: {plan.grid}, "
        f"beat {plan.cycle_samples / plan.sample_rate:g} s"
    ]
    chapter_at = {c.start_sample: c.title for c in plan.chapters}
    overlays = sorted(plan.overlays, key=lambda e: e.start_sample)
    for e in plan.events:
        if e.start_sample in chapter_at:
            lines.append(f"# {chapter_at.pop(e.start_sample)}")
        detail = e.text
        if e.kind in ("pause", "silence") and e.max_samples > e.min_samples:
            detail = (
                f"{t(e.min_samples)}..{t(e.max_samples)}, slack {t(e.duration_samples - e.min_samples)}"
            )
        tag = f"  [{e.passage}]" if e.passage else ""
        lines.append(f"{t(e.start_sample):>8}  {t(e.duration_samples):>7}  {e.kind:<8} {detail}{tag}")
        for o in overlays:
            if e.start_sample <= o.start_sample < e.stop_sample:
                offset = o.start_sample % plan.cycle_samples
                phase = _phase_name(offset == 0, plan) if offset in (0, plan.in_samples) else ""
                lines.append(f"{t(o.start_sample):>8}  {t(o.duration_samples):>7}    {phase:<11} {o.text}")
    lines.append(
        "pacing tone: " + (", ".join(_stretch_text(st, plan, t) for st in plan.pacing) or "none")
    )
    lines.append(
        "optional passages included: " + (", ".join(plan.included_passages) or "none")
        + (f"; left out: {', '.join(p for p in plan.all_passages if p not in plan.included_passages)}"
           if set(plan.all_passages) - set(plan.included_passages) else "")
    )
    lines.extend(f"{where}: warning: {what}" for where, what in plan.warnings)
    return "\n".join(lines)
