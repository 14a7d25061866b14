"""The process's TLS context for every HTTP client reconcile builds (Wix, each POS)."""

from __future__ import annotations

import functools
import os
import socket
import ssl
import sys
import threading


def tls_context() -> ssl.SSLContext:
    """The process's TLS context for every client we build (Wix, each POS), as httpx would build it.

    httpx builds a new one for each client unless it is given one, and building one loads the whole
    CA bundle: 40–47 ms of CPU on the 2.0 GHz machine, twice per serve sync (the POS client and the Wix session), more
    than the rest of a small sync's work (bench.webhook). Which CA bundle is httpx's rule: the file in
    ``SSL_CERT_FILE``, else the folder in ``SSL_CERT_DIR``, else certifi's; a context is kept per
    bundle, so changing those variables is seen at the next client. The bundle loads when the first
    TLS connection starts (:class:`_Deferred`): a process that only talks plain HTTP (to the
    emulator) never pays for it."""
    return _tls_context(os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None)


class _Deferred(ssl.SSLContext):
    """A client context (certificates required, host names checked) whose CA bundle loads just before
    its first connection is wrapped, instead of when the client is built.

    httpcore wraps each connection with ``wrap_bio`` (asyncio) or ``wrap_socket`` (threads), always
    before the handshake, so every handshake verifies against the bundle exactly as an eagerly built
    context would (tests/test_tls.py makes real handshakes). The lock makes two threads starting
    their first connections at once load it once."""

    _bundle: tuple[str | None, str | None]
    _loaded: bool
    _lock: threading.Lock

    def _load(self) -> None:
        with self._lock:
            if self._loaded:
                return
            cafile, capath = self._bundle
            if cafile or capath:
                self.load_verify_locations(cafile=cafile, capath=capath)
            else:
                import certifi  # httpx's own dependency, as its default

                self.load_verify_locations(cafile=certifi.where())
            self._loaded = True

    def wrap_socket(
        self,
        sock: socket.socket,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLSocket:
        self._load()
        return super().wrap_socket(
            sock, server_side, do_handshake_on_connect, suppress_ragged_eofs, server_hostname, session
        )

    def wrap_bio(
        self,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLObject:
        self._load()
        return super().wrap_bio(incoming, outgoing, server_side, server_hostname, session)


@functools.cache
def _tls_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    # What ssl.create_default_context(cafile=..., capath=...) sets up, less the loading of the bundle.
    context = _Deferred(ssl.PROTOCOL_TLS_CLIENT)
    context._bundle = (cafile, None) if cafile else (None, capath)  # a file wins over a folder, as in httpx
    context._loaded, context._lock = False, threading.Lock()
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog  # as create_default_context does: the user's own debugging aid
    return context
