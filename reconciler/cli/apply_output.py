"""What `reconcile apply` prints when it is done: the result as text, or as JSON (docs/plan-format.md)."""

from __future__ import annotations

from typing import Any

from reconciler.engine.apply import ApplyResult


def result_text(result: ApplyResult) -> str:
    counts = result.plan.counts
    verb = result.plan.target.capabilities.removal
    calls = ", ".join(f"{name} {count}" for name, count in sorted(result.calls.items()))
    lines = [
        f"Applied: {counts['create']} created, {counts['update']} updated, {counts['remove']} {verb}d "
        f"in {result.seconds:.2f}s",
        f"API calls: {result.total_calls} ({calls})" if calls else "API calls: none",
    ]
    if result.cutover_seconds is not None:
        lines.append(
            f"Cut-over window: {result.cutover_seconds * 1000:.0f} ms (the only time diners could see part "
            "of the old menu and part of the new one)."
        )
    lines += [f"Warning: {w}" for w in result.warnings]
    if result.attempts > 1:
        lines.append(f"Needed {result.attempts} attempts (earlier drafts were discarded after ambiguous failures).")
    lines.append(
        "Verified: the live catalog matches the desired state."
        if not result.differences
        else "VERIFY FAILED: the live catalog does not match the desired state."
    )
    return "\n".join(lines)


def result_json(result: ApplyResult) -> dict[str, Any]:
    return {
        "format": "reconcile-apply-result",
        "version": 1,
        "status": "applied" if not result.differences else "verify-failed",
        "run_id": result.run_id,
        "checksum": result.plan.checksum,
        "changes": result.plan.counts,
        "calls": result.calls,
        "total_calls": result.total_calls,
        "attempts": result.attempts,
        "seconds": round(result.seconds, 3),
        "differences": result.differences,
        "window_seconds": None if result.cutover_seconds is None else round(result.cutover_seconds, 4),
        "warnings": result.warnings,
    }
