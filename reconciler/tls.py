"""The process's TLS context for every HTTP client reconcile builds (Wix, each POS)."""

from __future__ import annotations

import functools
import os
import ssl


def tls_context() -> ssl.SSLContext:
    """The process's TLS context for every client we build (Wix, each POS), as httpx would build it.

    httpx builds a new one for each client unless it is given one, and building one loads the whole
    CA bundle: 40–47 ms of CPU on the 2.0 GHz machine, twice per serve sync (the POS client and the Wix session), more
    than the rest of a small sync's work (bench.webhook). Which CA bundle is httpx's rule: the file in
    ``SSL_CERT_FILE``, else the folder in ``SSL_CERT_DIR``, else certifi's; a context is kept per
    bundle, so changing those variables is seen at the next client."""
    return _tls_context(os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None)


@functools.cache
def _tls_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    if cafile:
        return ssl.create_default_context(cafile=cafile)
    if capath:
        return ssl.create_default_context(capath=capath)
    import certifi  # httpx's own dependency, as its default

    return ssl.create_default_context(cafile=certifi.where())
