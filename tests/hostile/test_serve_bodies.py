"""Hostile webhook deliveries to serve's real HTTP endpoint: never a 500, never held open, never logged verbatim.

Unauthenticated clients reach ``POST /webhooks/<pos>`` before anything else does, so each class
of body is sent to every POS, signed and unsigned: deep JSON, bodies far beyond the limit, a
``Content-Length`` far beyond what is sent, and set-up messages (Clover's verification code)
that try to write arbitrary text into the log.
"""

from __future__ import annotations

import json
import socket

import pytest

from reconciler.serve.app import BODY_TIMEOUT, MAX_BODY
from reconciler.sources.toast.webhook import signature as toast_signature
from tests.serve.test_app import ENV, client, lines, logs, service, square_post  # noqa: F401 - fixtures

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
POSES = ["square", "toast", "clover"]


def _signed(pos: str, body: bytes) -> dict[str, str]:
    if pos == "square":
        from reconciler.sources.square.webhook import signature

        return {
            "x-square-hmacsha256-signature": signature(
                ENV["SQUARE_WEBHOOK_SIGNATURE_KEY"], ENV["SQUARE_WEBHOOK_URL"], body
            )
        }
    if pos == "toast":
        return {"Toast-Signature": toast_signature(ENV["TOAST_WEBHOOK_SECRET"], body)}
    return {"X-Clover-Auth": ENV["CLOVER_WEBHOOK_AUTH_CODE"]}


@pytest.mark.parametrize("pos", POSES)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, b"\xff\xfe\x00", b"[NaN]", b'{"a": 1e999}', b"7", b"null"])
def test_deep_or_odd_json_is_refused_never_a_server_error(client, service, pos, body):  # noqa: F811
    unsigned = client.post(f"/webhooks/{pos}", content=body)
    assert unsigned.status_code == 401, unsigned.text
    signed = client.post(f"/webhooks/{pos}", content=body, headers=_signed(pos, body))
    assert signed.status_code in (400, 401), signed.text  # toast signs body + timestamp: 401 without one
    assert service.queue.depth() == 0


@pytest.mark.parametrize("pos", POSES)
def test_a_body_over_the_limit_is_refused_before_it_is_read(client, pos):  # noqa: F811
    assert client.post(f"/webhooks/{pos}", content=b"x" * (MAX_BODY + 1)).status_code == 413
    with socket.create_connection((client.base_url.host, client.base_url.port), timeout=30) as raw:
        raw.sendall(
            f"POST /webhooks/{pos} HTTP/1.1\r\nHost: x\r\nContent-Length: {MAX_BODY * 1000}\r\n\r\n".encode() + b"{}"
        )
        assert _whole_answer(raw).startswith(b"HTTP/1.1 413")


def _whole_answer(raw: socket.socket) -> bytes:
    """Headers and the body their Content-Length announces (they may arrive in separate reads)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = raw.recv(4096)
        if not chunk:
            return answer
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")), 0
    )
    while len(body) < length:
        chunk = raw.recv(4096)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def test_a_content_length_beyond_the_body_is_cut_off_not_held_open(client):  # noqa: F811
    with socket.create_connection((client.base_url.host, client.base_url.port), timeout=BODY_TIMEOUT * 3) as raw:
        raw.sendall(b"POST /webhooks/square HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + b'{"a": 1}')
        answer = _whole_answer(raw)  # the timeout of the socket bounds the test; the server answers first
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert b"did not arrive within" in answer


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"verificationCode": "x" * 5000}).encode(),
        json.dumps({"verificationCode": "ok-code\n{\"event\": \"forged\"}\x1b[31m"}).encode(),
        json.dumps({"verificationCode": "abc", "note": "y" * 500}).encode(),
        json.dumps({"verificationCode": "abc", "pad": "z" * 5000}).encode(),
        b'{"verificationCode": ' * 3000 + b'"a"' + b"}" * 3000,
    ],
)
def test_unauthenticated_verification_bodies_are_not_logged_verbatim(client, logs, body):  # noqa: F811
    answer = client.post("/webhooks/clover", content=body)
    assert answer.status_code == 401
    logged = logs.getvalue()
    assert "forged" not in logged and "\x1b" not in logged and "x" * 200 not in logged
    assert "y" * 200 not in logged and "z" * 200 not in logged
    assert not [e for e in lines(logs) if e["event"] == "webhook-handshake"]
    assert len(logged) < 2000


def test_a_real_verification_code_is_logged_once_and_briefly(client, logs):  # noqa: F811
    answer = client.post("/webhooks/clover", content=b'{"verificationCode":"7c1e-42ab-code"}')
    assert answer.status_code == 200
    [entry] = [e for e in lines(logs) if e["event"] == "webhook-handshake"]
    assert entry["code"] == "7c1e-42ab-code"


def test_signed_bodies_of_the_wrong_shape_are_400(client, service):  # noqa: F811
    for body in (b"[]", b'{"merchant_id": 7, "type": [], "event_id": {}}', b'{"type": "x"}'):
        assert square_post(client, body).status_code == 400
    assert service.queue.depth() == 0
