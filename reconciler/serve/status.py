"""The words ``serve`` reports with, as enums: why a sync ran, how it ended, what became of a webhook.

Their values are what the history, ``/healthz``, ``reconcile history`` and the JSON log lines show
(docs/serve.md, "Outcomes"); being ``StrEnum`` members, they are stored and printed as those strings.
"""

from __future__ import annotations

from enum import StrEnum


class SyncReason(StrEnum):
    """Why a sync ran; one sync may have several (a start-up reconcile and the webhooks queued with it)."""

    WEBHOOK = "webhook"  # one or more POS webhook events
    STARTUP = "startup"  # serve started: webhooks may have been missed while nothing listened
    PERIODIC = "periodic"  # the catalog's interval passed: catches webhooks that never came
    EXPIRY = "expiry"  # an entry of the availability layer ended (an 86's `until`): restore the catalog's value
    STOCK = "stock"  # the catalog's stock_interval passed: poll the POS's stock API (sources with ``stock_api``)

    @property
    def scheduled(self) -> bool:
        """Queued by serve itself rather than by a POS: it re-imports whatever the probe says."""
        return self is not SyncReason.WEBHOOK


class SyncOutcome(StrEnum):
    """How one sync ended."""

    APPLIED = "applied"  # a plan was applied, published and verified
    IN_STEP = "in-step"  # planned against the live menu: nothing to do
    UNCHANGED = "unchanged"  # the POS reported no change after a good sync: not planned, Wix not called
    HELD = "held"  # the plan was unsafe; saved for review under `unsafe: hold`, not applied
    VERIFY_FAILED = "verify-failed"  # applied, but the live menu read back differs from the plan
    FAILED = "failed"  # an error; retried with back-off when it is temporary
    ABANDONED = "abandoned"  # shutdown stopped it before it finished; its events stay queued

    @property
    def ok(self) -> bool:
        """The events are done with: nothing to retry (a held plan waits for a person, not a retry)."""
        return self in (SyncOutcome.APPLIED, SyncOutcome.IN_STEP, SyncOutcome.UNCHANGED, SyncOutcome.HELD)

    @property
    def in_step(self) -> bool:
        """The live menu matched the POS when the sync ended."""
        return self in (SyncOutcome.APPLIED, SyncOutcome.IN_STEP, SyncOutcome.UNCHANGED)


class WebhookOutcome(StrEnum):
    """What became of one webhook delivery (or of one of its events), in its log line."""

    QUEUED = "queued"  # stored for a catalog; a sync follows
    DUPLICATE = "duplicate"  # the same event id was stored before: dropped
    IGNORED = "ignored"  # not a catalog change, or no catalog takes its account: acknowledged
    REJECTED = "rejected"  # bad or missing signature, or a body too large: 401 / 413
    INVALID = "invalid"  # signed, but not a body the source understands: 400
    NOT_STORED = "not-stored"  # the queue failed: 503, so the POS delivers it again
