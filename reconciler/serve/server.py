"""Start ``reconcile serve``: check the environment, open the queue and history, serve until a signal.

Order at start-up: refuse to start without every secret the config needs (names listed, values
never); take the serve lock (one ``serve`` per state directory, or per PostgreSQL state database, since
the queue's claims belong to one process); return rows a crashed predecessor had claimed to the queue; queue a start-up
reconcile of every catalog (webhooks may have been missed while nothing listened); bind the
socket and print the URL as the first stdout line; then serve. SIGTERM or SIGINT stops accepting
requests, lets the running sync finish within ``shutdown_grace`` or abandons it (its draft is
discarded), and exits 0. Queued events stay queued for the next start.

Called by :mod:`reconciler.cli.serve_cmd`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
from collections.abc import Mapping
from pathlib import Path

from reconciler.errors import ConfigError, LockHeld
from reconciler.redact import Redactor
from reconciler.serve import jsonlog
from reconciler.serve.app import ServeContext, build_app
from reconciler.serve.config import ServeConfig
from reconciler.serve.history import History
from reconciler.serve.queue import DatabaseQueue
from reconciler.serve.secrets import cleaned, missing, secret_values
from reconciler.serve.status import SyncReason
from reconciler.serve.sync import Syncer
from reconciler.serve.worker import Worker
from reconciler.state.storage import Storage


def serve_dir(state: Path) -> Path:
    """Where serve keeps its queue, history and held plans."""
    return Path(state) / "serve"


def check_environment(config: ServeConfig, environ: Mapping[str, str]) -> None:
    absent = missing(config, environ)
    if absent:
        raise ConfigError(
            "reconcile serve needs these environment variables, which are not set: "
            + ", ".join(absent)
            + ". Secrets come from the environment only (see docs/serve.md)."
        )


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # IPPROTO_TCP: asyncio sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(1024)
    return sock


def open_context(
    config: ServeConfig,
    state: Path,
    environ: Mapping[str, str],
    cleanup: contextlib.ExitStack,
    redact: Redactor | None = None,
) -> ServeContext:
    """Take the serve lock, open the queue and history, recover claimed rows, queue the start-up reconciles.

    What :func:`run` serves; everything opened is closed by ``cleanup``. The worker starts with the
    app's lifespan.
    """
    folder = serve_dir(state)
    folder.mkdir(parents=True, exist_ok=True)
    storage = Storage(state, environ)
    try:
        cleanup.enter_context(storage.lock("reconcile-serve"))
    except LockHeld:
        where = storage.description if storage.postgres else f"the state directory {state}"
        raise LockHeld(
            f"another reconcile serve is running with {where}; stop it first (one serve per state, "
            "since the queue's claims belong to one process)"
        ) from None
    queue = DatabaseQueue(storage.database("serve/queue", durability="full"))
    cleanup.callback(queue.db.close)
    history = History(storage.database("serve/history", durability="full"))
    cleanup.callback(history.db.close)
    recovered = queue.recover()
    stopping = threading.Event()
    redact = redact or Redactor(secret_values(config, environ))
    syncer = Syncer(config, state, history, environ, redact, stopping)
    layer = Storage(state, environ).availability()
    worker = Worker(config, queue, history, syncer, stopping=stopping, layer=layer, redact=redact)
    worker.drop_unconfigured()
    worker.enqueue_scheduled(SyncReason.STARTUP)
    return ServeContext(
        config, queue, history, worker, environ, syncer.cancel_running, recovered=recovered, redact=redact
    )


def run(config: ServeConfig, state: Path, host: str, port: int, environ: Mapping[str, str] | None = None) -> None:
    import uvicorn

    raw = dict(os.environ if environ is None else environ)
    redact = Redactor(secret_values(config, raw))  # the values as given: trimmed ones are covered too
    jsonlog.setup(redact)
    environ = cleaned(config, raw)
    check_environment(config, environ)
    with contextlib.ExitStack() as cleanup:
        context = open_context(config, state, environ, cleanup, redact)
        sock = listening_socket(host, port)
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{sock.getsockname()[1]}"
        jsonlog.emit(
            "listening",
            url=url,
            state_dir=str(state),
            recovered=context.recovered,
            catalogs={c.name: {"source": c.source, "target": c.target, "catalog": c.catalog} for c in config.catalogs},
        )
        server = uvicorn.Server(
            uvicorn.Config(
                build_app(context),
                log_config=None,
                access_log=False,
                lifespan="on",
                timeout_graceful_shutdown=5,
                timeout_keep_alive=5,
            )
        )
        # uvicorn handles SIGINT/SIGTERM gracefully and then re-raises the signal to the handler it
        # found: make that a no-op so a requested shutdown exits 0.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: None)
        sys.stdout.write(f"reconcile serve listening on {url}\n")  # the socket listens already
        sys.stdout.flush()
        server.run(sockets=[sock])
