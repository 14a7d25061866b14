"""One TLS context per process and CA bundle, chosen by httpx's rule, loaded at the first TLS
connection (reconciler/tls.py). The handshakes are real: a local HTTPS server with a certificate of
a test CA (trustme), on 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import certifi
import httpx
import pytest
import trustme

from reconciler.tls import tls_context


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server calls
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class _Quiet(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a handshake the client refused is what some tests expect


@contextlib.contextmanager
def _server(ca: trustme.CA | None) -> Iterator[str]:
    """A server on 127.0.0.1 answering "ok": HTTPS with a certificate ``ca`` issued, or plain HTTP."""
    server = _Quiet(("127.0.0.1", 0), _Ok)
    scheme = "http"
    if ca is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _get(url: str) -> str:
    with httpx.Client(verify=tls_context()) as client:
        return client.get(url).text


@pytest.fixture
def ca(tmp_path, monkeypatch) -> trustme.CA:
    """A test CA; ``SSL_CERT_FILE`` names its certificate alone."""
    authority = trustme.CA()
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    return authority


def _loaded(context: ssl.SSLContext) -> int:
    return context.cert_store_stats()["x509_ca"]


def _one_cert(tmp_path) -> str:
    text = Path(certifi.where()).read_text(encoding="ascii")
    end = "-----END CERTIFICATE-----"
    first = text[text.index("-----BEGIN CERTIFICATE-----") : text.index(end) + len(end)]
    path = tmp_path / "one.pem"
    path.write_text(first + "\n", encoding="ascii")
    return str(path)


def test_every_client_gets_the_same_context(monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first = tls_context()
    assert tls_context() is first
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    first.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.com")  # what a connection does first
    assert len(first.get_ca_certs()) == len(ssl.create_default_context(cafile=certifi.where()).get_ca_certs())


def test_plain_http_never_loads_the_bundle_and_the_first_tls_connection_does(ca):
    context = tls_context()
    with _server(None) as url:
        assert _get(url) == "ok"
    assert _loaded(context) == 0
    with _server(ca) as url:
        assert _get(url) == "ok"
        assert _get(url) == "ok"
    assert _loaded(context) == 1 and tls_context() is context


def test_a_handshake_trusts_only_the_bundle_ssl_cert_file_names(ca, monkeypatch, tmp_path):
    with _server(ca) as url:
        assert _get(url) == "ok"
        monkeypatch.setenv("SSL_CERT_FILE", _one_cert(tmp_path))  # another bundle: not the test CA
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            _get(url)
        assert _loaded(tls_context()) == 1
        monkeypatch.delenv("SSL_CERT_FILE")  # certifi's bundle: not the test CA either
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            _get(url)
        assert _loaded(tls_context()) > 1


def test_ssl_cert_dir_is_used_when_no_file_is_named(ca, monkeypatch, tmp_path):
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    in_dir = tls_context()
    with _server(ca) as url, pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        _get(url)  # an empty folder trusts no one, where certifi's bundle would have been asked
    assert in_dir.get_ca_certs() == []  # a folder's certificates load when a handshake asks for them
    monkeypatch.delenv("SSL_CERT_DIR")
    assert tls_context() is not in_dir
