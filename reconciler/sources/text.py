"""POS text fields that arrive as HTML, turned into the plain text the catalog holds.

Square writes an item's description as ``description_html`` (and, since 2023, usually also as
``description_plaintext``); some exports carry only the HTML. The catalog's descriptions are plain
text, so the markup goes and what a diner reads stays: paragraphs and line breaks become line
breaks, list entries become lines starting with "- ", entities are decoded, runs of spaces fold.
"""

from __future__ import annotations

from html.parser import HTMLParser

_BREAK_BEFORE = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}
_SKIP = {"script", "style"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[str]] = [[]]
        self.skipping = 0

    def _break(self) -> None:
        if self.lines[-1]:
            self.lines.append([])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "br":
            self.lines[-1].append("\n")
        elif tag in _BREAK_BEFORE:
            self._break()
            if tag == "li":
                self.lines[-1].append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BREAK_BEFORE:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.lines[-1].append(data)

    def text(self) -> str:
        out = []
        for parts in self.lines:
            for line in "".join(parts).split("\n"):
                folded = " ".join(line.split())
                if folded and folded != "-":
                    out.append(folded)
        return "\n".join(out)


def html_to_text(html: str | None) -> str | None:
    """Plain text of an HTML fragment; None when nothing readable is left."""
    if not html:
        return None
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.text() or None
