"""Misbehaving HTTP servers on 127.0.0.1, for the limits of the one HTTP session.

Each is a real listening socket served by a daemon thread, so the client under test goes through
its whole stack (DNS-free connect, TLS-free HTTP/1.1, httpx's reader):

* :func:`silent` accepts connections and never answers;
* :func:`drip` answers with headers, then one byte of the body at a time, forever;
* :func:`answer` sends the same raw response to every request (and counts the requests).

Waits inside the servers are bounded by a stop event, never by sleeping the test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Running:
    url: str
    requests: list[bytes] = field(default_factory=list)


@contextlib.contextmanager
def _serve(handle) -> Iterator[Running]:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    stop = threading.Event()
    running = Running(f"http://127.0.0.1:{listener.getsockname()[1]}")
    connections: list[socket.socket] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            connections.append(conn)
            threading.Thread(target=_guarded, args=(handle, conn, running, stop), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.close()


def _guarded(handle, conn: socket.socket, running: Running, stop: threading.Event) -> None:
    with contextlib.suppress(OSError):
        handle(conn, running, stop)


def _read_request(conn: socket.socket, running: Running) -> bool:
    """Read one request's head (the clients under test send bodies small enough to come with it)."""
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    running.requests.append(data)
    return True


def silent() -> contextlib.AbstractContextManager[Running]:
    def handle(conn, running, stop):
        _read_request(conn, running)
        stop.wait()  # hold the connection open, say nothing

    return _serve(handle)


def drip(interval: float = 0.05) -> contextlib.AbstractContextManager[Running]:
    def handle(conn, running, stop):
        _read_request(conn, running)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n[")
        while not stop.wait(interval):
            conn.sendall(b"1,")

    return _serve(handle)


def answer(raw: bytes) -> contextlib.AbstractContextManager[Running]:
    def handle(conn, running, stop):
        while not stop.is_set() and _read_request(conn, running):
            conn.sendall(raw)

    return _serve(handle)


def response(status: str, body: bytes, headers: dict[str, str] | None = None, length: bool = True) -> bytes:
    """A raw HTTP/1.1 response; ``length=False`` sends the body chunked (no Content-Length)."""
    lines = [f"HTTP/1.1 {status}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if length:
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    lines.append("Transfer-Encoding: chunked")
    chunks = b"".join(
        f"{len(body[i : i + 65536]):x}\r\n".encode() + body[i : i + 65536] + b"\r\n" for i in range(0, len(body), 65536)
    )
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + chunks + b"0\r\n\r\n"
