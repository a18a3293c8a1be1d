"""Reading a report back with the standard library's HTML parser, as the report's unit tests do."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]


@dataclass
class Page(HTMLParser):
    """Every element with its attributes, the text inside each annotation's marks (joined per id,
    in order), the text of the whole body, and the style sheet."""

    elements: list[Element] = field(default_factory=list)
    pieces: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    body_text: list[str] = field(default_factory=list)
    style: list[str] = field(default_factory=list)
    _stack: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in VOID:
            self._stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if any(e.tag == "style" for e in self._stack):
            self.style.append(data)
            return
        self.body_text.append(data)
        marks = [e for e in self._stack if e.tag == "mark"]
        if marks:
            self.pieces[marks[-1].attrs["data-id"]].append(data)
            for outer in marks[:-1]:  # an outer mark holds exactly its inner marks' text
                self.pieces[outer.attrs["data-id"]].append(data)

    @property
    def quotes(self) -> dict[str, str]:
        return {key: "".join(parts) for key, parts in self.pieces.items()}

    @property
    def text(self) -> str:
        return "".join(self.body_text)

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k.replace("_", "-")) == v
                                                                    for k, v in attrs.items())]


def read_page(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page
