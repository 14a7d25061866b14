"""The one redactor: every text that leaves reconcile passes it, and no secret survives it.

A secret can reach a message in many renderings, and each is removed:

* as it is, trimmed, and line by line (a value read with a trailing newline);
* escaped: ``repr`` (``'tok\\n'``), JSON (``"tok\\u0001"``), the ``repr`` of its bytes
  (``b'tok\\n'``, what an HTTP library prints when it refuses a header), URL-encoded, and
  base64 (HTTP Basic credentials);
* in part: any run of :data:`WINDOW` or more consecutive characters of a secret of
  :data:`PARTIAL_FROM` characters or more (a message cut short, ``tok-123…``).

Values shorter than :data:`MIN_LENGTH` are left alone: replacing them would blank ordinary words
(real credentials are far longer). Every occurrence becomes ``***``.

Who uses it: the CLI wraps stdout and stderr with it (:class:`RedactingStream`), the HTTP session
redacts error bodies and messages, and ``serve`` redacts its JSON log, the run history, the
queue's error texts and every HTTP answer. The CLI and ``serve`` build it from the environment
(:func:`from_environment`): every variable known to hold a credential, and any whose name says so.
"""

from __future__ import annotations

import base64
import io
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping

MASK = "***"
MIN_LENGTH = 4
PARTIAL_FROM = 16
WINDOW = 12

# Variables whose value is a credential, whatever else is set. Sources and serve add their own
# names through ``known``; names matching SECRET_NAME are treated as credentials too, so a
# catalog's renamed variable (``SQUARE_TOKEN_DOWNTOWN``) is covered without being listed.
CREDENTIAL_VARIABLES = ("WIX_ACCESS_TOKEN", "WIX_API_KEY", "RECONCILE_PLAN_KEY")
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE|CREDENTIAL|AUTH_CODE|SIGNATURE_KEY|PLAN_KEY")


def renderings(secret: str) -> set[str]:
    """Every form of ``secret`` a message could carry in full."""
    forms = {secret, secret.strip()}
    forms.update(line.strip() for line in secret.splitlines())
    for form in list(forms):
        if not form:
            continue
        forms.add(repr(form)[1:-1])
        forms.add(json.dumps(form)[1:-1])
        forms.add(json.dumps(form, ensure_ascii=False)[1:-1])
        forms.add(repr(form.encode("utf-8", "backslashreplace"))[2:-1])
        forms.add(urllib.parse.quote(form, safe=""))
        forms.add(urllib.parse.quote_plus(form))
        forms.add(base64.b64encode(form.encode("utf-8", "backslashreplace")).decode("ascii"))
    forms.update(f for f in list(forms) if f.endswith("=") and f.rstrip("="))  # base64 without padding
    forms.update(f.rstrip("=") for f in list(forms))
    return {f for f in forms if len(f) >= MIN_LENGTH}


class Redactor:
    """Replaces every rendering of every secret with ``***`` (see the module docstring)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s.strip()) >= MIN_LENGTH})
        forms: set[str] = set()
        for secret in self.secrets:
            forms |= renderings(secret)
        self._forms = sorted(forms, key=len, reverse=True)
        self._partials = [f for f in self._forms if len(f) >= PARTIAL_FROM]

    def __bool__(self) -> bool:
        return bool(self._forms)

    def with_secrets(self, more: Iterable[str]) -> Redactor:
        return Redactor([*self.secrets, *more])

    def __call__(self, text: str) -> str:
        if not self._forms or not text:
            return text
        spans: list[tuple[int, int]] = []
        for form in self._forms:
            start = text.find(form)
            while start != -1:
                spans.append((start, start + len(form)))
                start = text.find(form, start + 1)
        for form in self._partials:
            spans.extend(_partial_spans(text, form))
        if not spans:
            return text
        return _mask(text, spans)

    def data(self, value: object) -> object:
        """A JSON-like value with every string redacted (keys too)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self(str(k)) if isinstance(k, str) else k: self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value


def _partial_spans(text: str, secret: str) -> list[tuple[int, int]]:
    """Runs of at least WINDOW characters of ``secret`` in ``text``.

    Any such run contains one of the secret's aligned blocks of WINDOW // 2 characters, so only
    those are searched for (with str.find, in C), and each hit is grown both ways.
    """
    block = WINDOW // 2
    found = []
    for begin in range(0, len(secret) - block + 1, block):
        piece = secret[begin : begin + block]
        at = text.find(piece)
        while at != -1:
            left = 0
            while begin - left > 0 and at - left > 0 and text[at - left - 1] == secret[begin - left - 1]:
                left += 1
            right = 0
            while (
                begin + block + right < len(secret)
                and at + block + right < len(text)
                and text[at + block + right] == secret[begin + block + right]
            ):
                right += 1
            if left + block + right >= WINDOW:
                found.append((at - left, at + block + right))
            at = text.find(piece, at + 1)
    return found


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:  # overlapping or touching: one mask
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out += [text[position:start], MASK]
        position = end
    out.append(text[position:])
    return "".join(out)


def secret_variables(environ: Mapping[str, str], known: Iterable[str] = ()) -> list[str]:
    """Names of the variables in ``environ`` that hold credentials."""
    listed = {*CREDENTIAL_VARIABLES, *known}
    return sorted(name for name in environ if name in listed or SECRET_NAME.search(name.upper()))


def from_environment(environ: Mapping[str, str], known: Iterable[str] = ()) -> Redactor:
    return Redactor(environ[name] for name in secret_variables(environ, known) if environ.get(name))


class RedactingStream(io.TextIOBase):
    """A text stream that redacts everything written to it, then passes it on."""

    def __init__(self, stream, redact: Redactor) -> None:
        self._stream = stream
        self._redact = redact

    def write(self, text: str) -> int:
        self._stream.write(self._redact(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self):  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")

    @property
    def errors(self):  # type: ignore[override]
        return getattr(self._stream, "errors", "strict")

    def __getattr__(self, name: str):
        if name == "buffer":
            raise AttributeError(name)  # bytes written past the redactor could carry a secret
        return getattr(self._stream, name)
