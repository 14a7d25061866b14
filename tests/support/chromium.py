"""Headless Chromium (Debian's `chromium`), driven over the DevTools protocol on 127.0.0.1.

Started headless, without the sandbox (tests run as root in CI), with background networking off,
on a fresh profile, and with every request the browser itself might make pointed at a closed
local port, so nothing leaves the machine. The page's own requests are seen through the Network
domain of its target: :attr:`Loaded.requests` lists every URL the page asked for besides itself.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

CANDIDATES = ("chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--proxy-server=http://127.0.0.1:9",  # the discard port: whatever the browser tries goes nowhere
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


def binary() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


@dataclass
class Loaded:
    url: str
    requests: list[str] = field(default_factory=list)  # what the page asked for besides itself
    html: str = ""  # the DOM after load, serialised


class Page:
    """One browser tab: navigate, evaluate, screenshot."""

    def __init__(self, socket: Any, session: str) -> None:
        self.socket = socket
        self.session = session
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        call_id = next(self.ids)
        await self.socket.send(
            json.dumps({"id": call_id, "method": method, "params": params or {}, "sessionId": self.session})
        )
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    async def wait_for(self, event: str) -> None:
        if any(e.get("method") == event for e in self.events):
            return
        while True:
            message = json.loads(await self.socket.recv())
            self.events.append(message)
            if message.get("method") == event:
                return

    async def open(self, url: str) -> Loaded:
        self.events.clear()
        await self.send("Page.navigate", {"url": url})
        await self.wait_for("Page.loadEventFired")
        await self.evaluate("new Promise(r => requestAnimationFrame(() => r(1)))")  # one frame laid out
        seen = [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]
        html = await self.evaluate("document.documentElement.outerHTML")
        return Loaded(url, [u for u in seen if u != url], html)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} failed in the page: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screenshot(self, path: Path, width: int = 1200) -> None:
        height = int(await self.evaluate("document.documentElement.scrollHeight"))
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": min(height, 8000), "deviceScaleFactor": 1, "mobile": False},
        )
        shot = await self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(shot["data"]))


@contextlib.asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[Page]:
    """A fresh headless browser with one tab; stopped (and its profile removed) afterwards."""
    with tempfile.TemporaryDirectory(prefix="reconcile-chromium-") as profile:
        process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            endpoint = await asyncio.wait_for(asyncio.to_thread(_endpoint, process), timeout=60)
            async with connect(endpoint, max_size=None) as socket:
                browser = Page(socket, "")
                target = await _browser_call(browser, "Target.createTarget", {"url": "about:blank"})
                attached = await _browser_call(
                    browser, "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
                )
                page = Page(socket, attached["sessionId"])
                page.ids = browser.ids
                for domain in ("Page", "Network", "Runtime"):
                    await page.send(f"{domain}.enable")
                yield page
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr:
                process.stderr.close()


async def _browser_call(browser: Page, method: str, params: dict[str, Any]) -> dict[str, Any]:
    call_id = next(browser.ids)
    await browser.socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
    while True:
        message = json.loads(await browser.socket.recv())
        if message.get("id") == call_id:
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            return message["result"]


def _endpoint(process: subprocess.Popen[str]) -> str:
    """The browser's DevTools WebSocket, from the line Chromium prints when it listens."""
    assert process.stderr is not None
    for line in process.stderr:
        found = re.search(r"DevTools listening on (ws://127\.0\.0\.1:\d+/\S+)", line)
        if found:  # keep reading what it prints, or it blocks once the pipe is full
            threading.Thread(target=lambda: [None for _ in process.stderr or ()], daemon=True).start()
            return found.group(1)
    raise RuntimeError(f"chromium exited ({process.wait()}) before it listened for DevTools")
