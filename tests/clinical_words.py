"""Find the program's internal words in what a user reads (shared by the report and web tests)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

INTERNAL = re.compile(
    r"\bseed\b|facts\.md|\bKB engineer|\bopen question|\bnot_assessed\b|\btreat_other_cause\b",
    re.IGNORECASE,
)
# Any snake_case token is a file key or an id, never a clinical word.
RAW_ID = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


class _VisibleText(HTMLParser):
    """The text a reader sees (no tags, attributes, styles or scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def internal_words(text: str) -> list[str]:
    """The internal words found in ``text`` (empty when it reads as clinical prose)."""
    found = [m.group(0) for m in INTERNAL.finditer(text)]
    found += [m.group(0) for m in RAW_ID.finditer(text)]
    return sorted(set(found))
