"""A little of the DOM, from the console's HTML, for tests that check what a page ties together."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "base", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)
    parent: Element | None = None

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.walk()


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#root", {})

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs}, parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    return builder.root


def by_id(root: Element, ident: str) -> Element | None:
    return next((e for e in root.walk() if e.attrs.get("id") == ident), None)


def fields(root: Element) -> list[Element]:
    """Every input, select and textarea of a form (not hidden fields, buttons, choices or search boxes)."""
    return [e for e in root.walk() if e.tag in ("input", "select", "textarea")
            and e.attrs.get("type") not in ("hidden", "submit", "button", "radio", "checkbox", "search")]


def messages_of(root: Element, element: Element) -> str:
    """The text of what ``element`` names in aria-describedby (its hint and its errors)."""
    ids = element.attrs.get("aria-describedby", "").split()
    return " ".join(by_id(root, i).text for i in ids if by_id(root, i) is not None)
