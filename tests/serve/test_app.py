"""The HTTP endpoints in-process: verify first, queue durably, answer at once; logs are JSON without secrets."""

from __future__ import annotations

import io
import json
import logging
import time

import pytest

from reconciler.redact import Redactor
from reconciler.serve import jsonlog
from reconciler.serve.app import MAX_BODY, ServeContext, build_app
from reconciler.serve.config import ServeConfig
from reconciler.serve.history import History
from reconciler.serve.queue import DatabaseQueue, Item
from reconciler.serve.secrets import secret_values
from reconciler.serve.status import SyncOutcome
from reconciler.serve.sync import Job, SyncResult
from reconciler.serve.worker import Worker
from reconciler.sources.square.webhook import signature as square_signature
from reconciler.sources.toast.webhook import signature as toast_signature
from tests.serve.helpers import serving
from tests.serve.processes import wait_until

ENV = {
    "SQUARE_ACCESS_TOKEN": "sq-access-token-1",
    "SQUARE_WEBHOOK_SIGNATURE_KEY": "sq-signature-key-1",
    "SQUARE_WEBHOOK_URL": "https://menu.example.com/webhooks/square",
    "TOAST_ACCESS_TOKEN": "toast-access-token-1",
    "TOAST_WEBHOOK_SECRET": "toast-webhook-secret-1",
    "CLOVER_ACCESS_TOKEN": "clover-access-token-1",
    "CLOVER_WEBHOOK_AUTH_CODE": "clover-auth-code-1",
    "CLOVER_MERCHANT_ID": "MCLOVER1",
}
CONFIG = {
    "catalogs": [
        {"name": "downtown", "source": "square", "account": "M1", "catalog": "d.yaml", "debounce": 0},
        {"name": "uptown", "source": "square", "account": "M2", "catalog": "u.yaml"},
        {"name": "harbour", "source": "toast", "account": "R1", "catalog": "h.yaml", "currency": "USD"},
        {"name": "cafe", "source": "clover", "catalog": "c.yaml"},
    ]
}


class Recorder:
    """Stands in for the Syncer: records the jobs the worker hands it."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def __call__(self, job: Job) -> SyncResult:
        self.jobs.append(job)
        return SyncResult(SyncOutcome.IN_STEP, "Plan: 0 to create, 0 to update, 0 to archive")


@pytest.fixture
def logs():
    stream = io.StringIO()
    handler = jsonlog.setup(Redactor(secret_values(ServeConfig.model_validate(CONFIG), ENV)), stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)


@pytest.fixture
def service(tmp_path, logs) -> ServeContext:
    config = ServeConfig.model_validate(CONFIG)
    queue = DatabaseQueue(tmp_path / "queue.sqlite")
    history = History(tmp_path / "history.sqlite")
    worker = Worker(config, queue, history, Recorder())
    return ServeContext(config, queue, history, worker, ENV)


@pytest.fixture
def client(service):
    with serving(build_app(service)) as client:  # no lifespan: the worker does not run
        yield client


def square_body(event_id: str = "ev-1", merchant: str = "M1", kind: str = "catalog.version.updated") -> bytes:
    return json.dumps(
        {"merchant_id": merchant, "type": kind, "event_id": event_id, "created_at": "2024-03-16T14:49:03Z", "data": {}}
    ).encode()


def square_post(client, body: bytes, signature: str | None = None, url: str | None = None):
    if signature is None:
        signature = square_signature(ENV["SQUARE_WEBHOOK_SIGNATURE_KEY"], url or ENV["SQUARE_WEBHOOK_URL"], body)
    return client.post("/webhooks/square", content=body, headers={"x-square-hmacsha256-signature": signature})


def lines(logs: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in logs.getvalue().splitlines()]


def test_a_signed_event_is_queued_and_acknowledged(client, service, logs):
    answer = square_post(client, square_body())
    assert answer.status_code == 200 and answer.json() == {"accepted": 1, "duplicates": 0, "ignored": 0}
    assert service.queue.status_of("downtown", "ev-1") == "pending"
    assert service.queue.depth() == 1  # only the catalog of merchant M1
    [line] = [entry for entry in lines(logs) if entry["event"] == "webhook"]
    assert line["outcome"] == "queued" and line["catalog"] == "downtown" and line["event_id"] == "ev-1"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-square-hmacsha256-signature": "not-a-signature"},
        {
            "x-square-hmacsha256-signature": square_signature(
                "sq-signature-key-1", "http://testserver/webhooks/square", square_body()
            )
        },
        {
            "x-square-hmacsha256-signature": square_signature(
                "sq-signature-key-1", ENV["SQUARE_WEBHOOK_URL"], square_body("ev-other")
            )
        },
    ],
    ids=["missing", "garbage", "signed-for-the-request-url", "signed-for-another-body"],
)
def test_a_bad_signature_is_401_and_queues_nothing(client, service, logs, headers):
    answer = client.post("/webhooks/square", content=square_body(), headers=headers)
    assert answer.status_code == 401
    assert service.queue.depth() == 0 and service.queue.status_of("downtown", "ev-1") is None
    [line] = lines(logs)
    assert (line["event"], line["outcome"], line["level"]) == ("webhook", "rejected", "warning")


def test_duplicates_ignored_events_and_routing(client, service):
    assert square_post(client, square_body()).json()["accepted"] == 1
    assert square_post(client, square_body()).json() == {"accepted": 0, "duplicates": 1, "ignored": 0}
    assert square_post(client, square_body("ev-2", merchant="M2")).json()["accepted"] == 1
    assert square_post(client, square_body("ev-3", merchant="M9")).json() == {
        "accepted": 0,
        "duplicates": 0,
        "ignored": 1,
    }
    assert square_post(client, square_body("ev-4", kind="inventory.count.updated")).json()["ignored"] == 1
    assert (service.queue.depth("downtown"), service.queue.depth("uptown")) == (1, 1)


def test_toast_event_and_its_signature_variant_is_logged(client, service, logs):
    body = json.dumps(
        {
            "timestamp": "2024-05-01T12:00:00.000Z",
            "eventCategory": "menus",
            "eventType": "menus_updated",
            "guid": "toast-ev-1",
            "details": {"restaurantGuid": "R1", "publishedDate": "2024-05-01T11:59:59.000Z"},
        },
        separators=(",", ":"),
    ).encode()
    signature = toast_signature(ENV["TOAST_WEBHOOK_SECRET"], body + b"2024-05-01T12:00:00.000Z")
    assert client.post("/webhooks/toast", content=body, headers={"Toast-Signature": "x" + signature}).status_code == 401
    answer = client.post("/webhooks/toast", content=body, headers={"Toast-Signature": signature})
    assert answer.status_code == 200 and answer.json()["accepted"] == 1
    assert service.queue.status_of("harbour", "toast-ev-1") == "pending"
    queued = [entry for entry in lines(logs) if entry.get("outcome") == "queued"]
    assert queued[0]["signature_variant"] == "body+timestamp"


def test_clover_auth_header_routing_and_verification_handshake(client, service, logs):
    body = json.dumps(
        {
            "appId": "A",
            "merchants": {
                "MCLOVER1": [{"objectId": "I:ITEM1", "type": "UPDATE", "ts": 1}],
                "MOTHER": [{"objectId": "I:ITEM2", "type": "UPDATE", "ts": 2}],
            },
        }
    ).encode()
    assert client.post("/webhooks/clover", content=body, headers={"X-Clover-Auth": "wrong"}).status_code == 401
    answer = client.post("/webhooks/clover", content=body, headers={"X-Clover-Auth": ENV["CLOVER_WEBHOOK_AUTH_CODE"]})
    assert answer.json() == {"accepted": 1, "duplicates": 0, "ignored": 1}  # the account comes from CLOVER_MERCHANT_ID
    handshake = client.post("/webhooks/clover", content=b'{"verificationCode":"0f9e-code"}')
    assert handshake.status_code == 200 and service.queue.depth() == 1
    assert [(e["pos"], e["code"]) for e in lines(logs) if e["event"] == "webhook-handshake"] == [
        ("clover", "0f9e-code")
    ]


def test_unknown_pos_big_and_malformed_bodies(client, service):
    config = ServeConfig.model_validate({"catalogs": [CONFIG["catalogs"][0]]})
    with serving(build_app(ServeContext(config, service.queue, service.history, service.worker, ENV))) as only_square:
        assert only_square.post("/webhooks/toast", content=b"{}").status_code == 404
    assert client.post("/webhooks/square", content=b"x" * (MAX_BODY + 1)).status_code == 413
    malformed = b'{"type": "catalog.version.updated"}'
    assert square_post(client, malformed).status_code == 400
    assert service.queue.depth() == 0


def test_a_queue_that_cannot_store_answers_503(client, service):
    service.queue.close()  # the database is gone: the POS must deliver again
    assert square_post(client, square_body()).status_code == 503


def test_healthz_and_the_worker_lifespan(service):
    recorder = service.worker.sync
    with serving(build_app(service), lifespan="on") as client:
        square_post(client, square_body())

        def recorded():
            answer = client.get("/healthz")
            return answer if answer.json()["catalogs"]["downtown"]["syncs"] else None

        health = wait_until(recorded, "the sync to be recorded", timeout=10)
        body = health.json()
        assert health.status_code == 200 and body["status"] == "ok"
        downtown = body["catalogs"]["downtown"]
        assert downtown["last_sync"]["outcome"] == "in-step" and downtown["last_sync"]["events"] == 1
        assert set(body["catalogs"]) == {"downtown", "uptown", "harbour", "cafe"}
    assert [job.event_ids for job in recorder.jobs] == [["ev-1"]]
    assert not service.worker.alive  # the lifespan stopped it
    with serving(build_app(service)) as client:
        assert client.get("/healthz").json()["status"] == "stopping"


def test_given_up_events_make_healthz_degraded_until_a_later_sync_succeeds(service):
    """After a long outage the queue is empty, but events were given up: health must say so."""
    service.queue.put(Item("downtown", "lost-1", "square", "catalog.version.updated", time.time()))
    service.queue.fail([c.key for c in service.queue.claim("downtown", time.time())], "HTTP 503 from Wix", None)
    with serving(build_app(service), lifespan="on") as client:
        answer = client.get("/healthz")
        body = answer.json()
        assert answer.status_code == 200 and body["status"] == "degraded"  # still taking webhooks
        assert body["queue_depth"] == 0 and body["dead_events"] == 1
        assert body["catalogs"]["downtown"]["dead"]["events"] == 1
        assert body["catalogs"]["downtown"]["dead"]["last_error"] == "HTTP 503 from Wix"
        assert body["catalogs"]["uptown"]["dead"] is None
        square_post(client, square_body())  # a later sync of the catalog covers what was given up

        def recovered():
            health = client.get("/healthz").json()
            return health if health["catalogs"]["downtown"]["syncs"] else None

        body = wait_until(recovered, "the sync to be recorded", timeout=10)
        assert body["status"] == "ok" and body["dead_events"] == 0 and body["catalogs"]["downtown"]["dead"] is None


def test_no_secret_reaches_a_log_line(client, logs):
    square_post(client, square_body(), signature=ENV["SQUARE_WEBHOOK_SIGNATURE_KEY"])  # a careless sender
    jsonlog.emit("sync", error="POS said: bad token sq-access-token-1", detail=ENV["TOAST_WEBHOOK_SECRET"])
    text = logs.getvalue()
    assert all(json.loads(line) for line in text.splitlines())
    for name in (
        "SQUARE_ACCESS_TOKEN",
        "SQUARE_WEBHOOK_SIGNATURE_KEY",
        "TOAST_WEBHOOK_SECRET",
        "CLOVER_WEBHOOK_AUTH_CODE",
    ):
        assert ENV[name] not in text
    assert "bad token ***" in text
