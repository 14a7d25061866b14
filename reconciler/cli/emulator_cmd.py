"""`reconcile emulator serve | seed | reset`: run and prepare the local Wix API emulator.

The emulator is imported inside each command, so other commands do not pay for starlette/uvicorn.
See docs/emulator.md.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import sys
import threading
from typing import Any

import click

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8770
TOKEN_ENV = "RECONCILE_EMULATOR_TOKEN"
LOCAL_TOKEN = "emulator-local-token"


def _state_option(help_text: str):  # type: ignore[no-untyped-def]
    return click.option("--state", "state", type=click.Path(dir_okay=False), default=None, help=help_text)


def _default_state() -> str:
    from reconciler.emulator import default_state_path

    return default_state_path()


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP,
    # and without it every small response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(1024)
    return sock


def _stop_when_stdin_closes(server: Any) -> None:
    """Block until stdin reaches EOF (the parent closed it, or died), then ask uvicorn to stop."""
    # os.read on the raw descriptor: a daemon thread blocked inside sys.stdin's buffered reader
    # would hold its lock and abort the interpreter at exit.
    try:
        while os.read(sys.stdin.fileno(), 65536):
            pass
    except (OSError, ValueError):
        pass
    server.should_exit = True


class _QuietDrops(logging.Filter):
    """Injected dropped connections are intended; keep them out of the server's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one.",
)
@_state_option("SQLite state file (default: in memory, gone when the server stops).")
@click.option(
    "--token", default=None, help=f"Token clients must send (default: ${TOKEN_ENV}, else a fixed local token)."
)
@click.option("--latency-ms", default=0.0, type=click.FloatRange(min=0), help="Delay added to every API call.")
@click.option("--currency", default=None, help="Site currency, ISO 4217 (default: the state's, else USD).")
@click.option(
    "--rate-limit",
    "rate_limit",
    default=None,
    type=click.IntRange(min=1),
    help="At most N API calls per site per minute; beyond, 429 with Retry-After (default: no limit).",
)
@click.option(
    "--stop-on-stdin-eof",
    is_flag=True,
    hidden=True,
    help="Shut down when stdin closes (test harnesses: the server dies with its parent).",
)
def serve(
    host: str,
    port: int,
    state: str | None,
    token: str | None,
    latency_ms: float,
    currency: str | None,
    rate_limit: int | None,
    stop_on_stdin_eof: bool,
) -> None:
    """Serve the Wix Catalogs v3, Menus (New) and Locations API emulator over HTTP until interrupted.

    The first line of output is the URL, e.g. `reconcile emulator listening on http://127.0.0.1:8770`.
    """
    import uvicorn

    from reconciler.emulator import Emulator, open_store

    token = token or os.environ.get(TOKEN_ENV) or LOCAL_TOKEN
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    store = open_store(state)
    try:
        try:
            emulator = Emulator(store, token=token, currency=currency, latency_ms=latency_ms)
            emulator.set_rate_limit(rate_limit)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        sock = _listening_socket(host, port)
        bound_port = sock.getsockname()[1]
        shown_host = f"[{host}]" if ":" in host else host
        config = uvicorn.Config(
            emulator.asgi_app(),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=5,
            date_header=False,  # the emulator dates its answers itself, from the clock of its stamps
        )
        server = uvicorn.Server(config)
        logging.getLogger("uvicorn.error").addFilter(_QuietDrops())  # after Config, which configures logging
        # uvicorn handles SIGINT/SIGTERM with a graceful shutdown, then re-raises the signal to the
        # handler found before it started: make that handler a no-op so we exit 0, not 130/-15.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: None)
        if stop_on_stdin_eof:
            threading.Thread(target=_stop_when_stdin_closes, args=(server,), daemon=True).start()
        # The socket already listens, so clients may connect as soon as this line appears.
        click.echo(f"reconcile emulator listening on http://{shown_host}:{bound_port}")
        sys.stdout.flush()
        server.run(sockets=[sock])
        click.echo("reconcile emulator stopped", err=True)
    finally:
        store.close()


def _dishes(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[int, int] | None:
    from reconciler.emulator.admin import parse_dishes

    try:
        return parse_dishes(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@_state_option("SQLite state file (default: $RECONCILE_STATE_DIR/sandbox.sqlite, else .reconcile/sandbox.sqlite).")
@click.option(
    "--locations",
    "count",
    default=None,
    type=click.IntRange(min=1),
    help="How many locations to add (per site with --sites, default 1 there).",
)
@click.option("--names", default=None, help="Comma-separated location names, in order (the rest are 'Location N').")
@click.option("--currency", default="USD", show_default=True, help="Site currency, ISO 4217.")
@click.option(
    "--demo",
    is_flag=True,
    help="Fill each catalog (or, with --app menus, each location) with a small demo menu instead of leaving it empty.",
)
@click.option(
    "--app",
    "app",
    type=click.Choice(["v3", "menus", "both"]),
    default="v3",
    show_default=True,
    help="Restaurant app the site gets: the legacy Catalogs v3 app (a catalog per location), "
    "the Menus (New) app, or both. Installing is additive.",
)
@click.option(
    "--sites",
    "sites",
    default=None,
    type=click.IntRange(min=1),
    help="Create N new sites, each with its own token, locations and menus (see --locations).",
)
@click.option(
    "--site", "site", default=None, help="Add the locations to this seeded site (its id), not the default one."
)
@click.option(
    "--dishes",
    default=None,
    callback=_dishes,
    help="Give each location a generated menu of MIN-MAX dishes (e.g. 100-300, or one number).",
)
@click.option("--content-seed", default=0, show_default=True, help="Seed of the generated menu sizes.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per location instead of columns.")
def seed(
    state: str | None,
    count: int | None,
    names: str | None,
    currency: str,
    demo: bool,
    app: str,
    sites: int | None,
    site: str | None,
    dishes: tuple[int, int] | None,
    content_seed: int,
    as_json: bool,
) -> None:
    """Add business locations (and, with the v3 app, their catalogs) to an emulator state file.

    Works whether or not a server is running on the same file. Prints one line per location:
    location id, name and catalog id (`-` without the v3 app), tab-separated. With --sites, each
    line starts with the site id and the site's token: site id, token, location id, name, catalog id.
    """
    from reconciler.emulator import open_store
    from reconciler.emulator import seed as seed_state
    from reconciler.emulator.seed import seed_sites

    if count is None and sites is None:
        raise click.UsageError("give --locations N (or --sites N)")
    if sites is not None and (site is not None or names):
        raise click.UsageError("--sites makes new sites: it takes neither --site nor --names")
    path = state or _default_state()
    name_list = [name.strip() for name in names.split(",")] if names else None
    store = open_store(path)
    try:
        if sites is not None:
            made = seed_sites(store, sites, count or 1, currency, demo, app, dishes, content_seed)
            rows = [(entry, location) for entry in made for location in entry.locations]
        else:
            seeded = seed_state(
                store,
                count or 0,
                name_list,
                currency=currency,
                demo=demo,
                app=app,
                site=site,
                dishes=dishes,
                content_seed=content_seed,
            )
            rows = [(None, location) for location in seeded]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    finally:
        store.close()
    lines = []
    for owner, entry in rows:
        record: dict[str, Any] = {"siteId": owner.site_id, "token": owner.token} if owner else {}
        record |= {"locationId": entry.location_id, "name": entry.name, "catalogId": entry.catalog_id}
        if dishes:
            record["dishes"] = entry.dishes
        if as_json:
            lines.append(json.dumps(record))
        else:
            lines.append("\t".join("-" if value is None else str(value) for value in record.values()))
    click.echo("\n".join(lines))


@click.command()
@_state_option("SQLite state file (default: $RECONCILE_STATE_DIR/sandbox.sqlite, else .reconcile/sandbox.sqlite).")
def reset(state: str | None) -> None:
    """Empty an emulator state file: no locations, catalogs or settings remain."""
    from reconciler.emulator import open_store
    from reconciler.emulator import reset as reset_state

    path = state or _default_state()
    store = open_store(path)
    try:
        reset_state(store)
    finally:
        store.close()
    click.echo(f"emptied {path}")


@click.group()
def emulator() -> None:
    """A local Wix Restaurants API emulator: the sandbox target, tests and benchmarks run against it."""


emulator.add_command(serve)
emulator.add_command(seed)
emulator.add_command(reset)


def register(cli: click.Group) -> None:
    cli.add_command(emulator)
