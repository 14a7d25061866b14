"""The sections of docs/performance.md that benches other than `python -m bench` write.

Each such bench writes its table between its own two markers; running it again replaces that
section only, and `python -m bench` (which regenerates the rest of the file) keeps every one.
"""

from __future__ import annotations

from pathlib import Path

from bench.measure import REPO

MARKERS: dict[str, tuple[str, str]] = {
    "fleet": ("<!-- fleet:start -->", "<!-- fleet:end -->"),
    "locations": ("<!-- bench.locations: begin -->", "<!-- bench.locations: end -->"),
    "webhook": ("<!-- bench.webhook: begin -->", "<!-- bench.webhook: end -->"),
    "stock": ("<!-- bench.stock: begin -->", "<!-- bench.stock: end -->"),
    "import": ("<!-- bench.import: begin -->", "<!-- bench.import: end -->"),
    "noop": ("<!-- bench.noop: begin -->", "<!-- bench.noop: end -->"),
    # Written by hand from `python -m bench` latency runs (issue #19): kept until a run replaces it.
    "apply": ("<!-- bench.apply: begin -->", "<!-- bench.apply: end -->"),
}


def replace(current: str, name: str, text: str) -> str:
    """``current`` with section ``name`` replaced by ``text`` (which holds its markers), or appended."""
    begin, end = MARKERS[name]
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        return head + text + ("\n" + tail if tail else "")
    return current.rstrip("\n") + "\n\n" + text


def write(name: str, text: str, out: str | Path) -> Path:
    """Write section ``name`` into the file ``out`` (relative to the repository)."""
    path = Path(out) if Path(out).is_absolute() else REPO / out
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace(current, name, text), encoding="utf-8")
    return path


def kept(old: str) -> str:
    """Every marked section of ``old``, markers included, in the order of MARKERS."""
    found = []
    for begin, end in MARKERS.values():
        if begin in old and end in old:
            found.append(begin + old.split(begin, 1)[1].split(end, 1)[0] + end + "\n")
    return "\n".join(found)
