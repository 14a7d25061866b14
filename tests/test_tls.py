"""One TLS context per process and CA bundle, chosen by httpx's rule (reconciler/tls.py)."""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi

from reconciler.tls import tls_context


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
    assert len(first.get_ca_certs()) == len(ssl.create_default_context(cafile=certifi.where()).get_ca_certs())


def test_ssl_cert_file_chooses_the_bundle_as_httpx_does(monkeypatch, tmp_path):
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", _one_cert(tmp_path))
    own = tls_context()
    assert len(own.get_ca_certs()) == 1 and tls_context() is own
    monkeypatch.delenv("SSL_CERT_FILE")
    assert tls_context() is not own and len(tls_context().get_ca_certs()) > 1


def test_ssl_cert_dir_is_used_when_no_file_is_named(monkeypatch, tmp_path):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    in_dir = tls_context()
    assert in_dir.get_ca_certs() == []  # a folder's certificates load when a handshake asks for them
    monkeypatch.delenv("SSL_CERT_DIR")
    assert tls_context() is not in_dir
