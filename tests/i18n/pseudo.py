"""A pseudo-translation: every string of the applicants' catalogue wrapped in markers.

Rendered with it, a page whose text is all marked for translation shows nothing but marked
text, user data and numbers; any other word is a string the code forgot to mark.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

OPEN, CLOSE = "⟦", "⟧"
# The innermost marked text: a translation may hold others (a placeholder filled with a
# translated label), so these are removed from the inside out.
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# Attributes a person sees or hears (a screen reader reads them out).
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
_SKIPPED_ELEMENTS = {"script", "style"}


def pseudo(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def write_pseudo_catalogue(template: Path, folder: Path, locale: str, domain: str) -> None:
    """A compiled catalogue for ``locale`` in ``folder`` translating every message of the
    template into itself between markers (placeholders and tags kept as they are)."""
    with template.open("rb") as handle:
        source = read_po(handle)
    catalog = Catalog(locale=locale, domain=domain)
    for message in source:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            forms = [message.id[0]] + [message.id[1]] * (catalog.num_plurals - 1)
            string: str | tuple[str, ...] = tuple(pseudo(form) for form in forms)
        else:
            string = pseudo(message.id)
        catalog.add(message.id, string, context=message.context, flags=message.flags)
    target = folder / locale / "LC_MESSAGES" / f"{domain}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_mo(handle, catalog)


def unmarked(text: str) -> str:
    """What is left of ``text`` once every marked (translated) part is taken out."""
    while True:
        shorter = _MARKED.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


# A message's placeholders may be filled with markup (a date in <bdi>, say), which splits
# its text over several nodes: text across these elements is read as one run.
INLINE_ELEMENTS = frozenset({"bdi", "span", "strong", "em", "b", "i", "small", "time", "abbr"})


class VisibleText(HTMLParser):
    """The runs of text and visible attribute values of a page, each with the element it
    is in; a run goes on across inline elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (where, text)
        self._open: list[str] = []
        self._run: list[str] = []
        self._run_where = ""

    def _end_run(self) -> None:
        text = "".join(self._run)
        if text.strip():
            self.found.append((self._run_where, text))
        self._run = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in INLINE_ELEMENTS:
            self._end_run()
        values = dict(attrs)
        for name in VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.found.append((f"<{tag} {name}>", str(values[name])))
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            self.found.append((f"<{tag} value>", str(values.get("value") or "")))
        if tag not in ("input", "meta", "link", "br", "img", "hr"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE_ELEMENTS:
            self._end_run()
        if tag in self._open:
            while self._open and self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if _SKIPPED_ELEMENTS.intersection(self._open):
            return
        if not self._run:
            self._run_where = f"<{self._open[-1] if self._open else ''}>"
        self._run.append(data)

    def close(self) -> None:
        super().close()
        self._end_run()


def visible_text(html: str) -> list[tuple[str, str]]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.found
