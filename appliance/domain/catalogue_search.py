"""Service-item search for the "按服务事项查询" screen: Chinese substring, full pinyin,
pinyin initials and item code, ranked, fast enough to run on every keystroke.

Ranking, best first: the exact item code; then items whose name, initials, full pinyin
or code *starts* with the query (in that order); then items containing it anywhere
(name, initials, pinyin, code or department). Within a tier shorter names come first.

Speed: the items are kept in that tie-break order, and each field is joined into one
newline-separated string in the same order. A tier is then ``str.find`` (C speed) over
one string, reading matches best-first and stopping as soon as there are enough; a
prefix is a match right after a newline. No per-item Python loop runs per keystroke.
A string is not scanned at all when the query holds a character it never uses (a
Chinese query skips the pinyin, a code skips the initials).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from appliance.domain.catalogue import ServiceItem

FIELD_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class IndexedItem:
    item: ServiceItem
    pinyin: str
    initials: str


def normalise(query: str) -> str:
    """Lower-case, no spaces, and the apostrophe people type between pinyin syllables."""
    return "".join(query.split()).lower().replace("'", "").replace("’", "")


def _latin_part(name: str) -> list[str]:
    """The name itself when it holds Latin letters or digits ("2023版"), else nothing."""
    latin = "".join(c for c in name.lower() if c.isascii() and c.isalnum())
    return [latin] if latin else []


class _Joined:
    """One value per item, in rank order, as ``\\nvalue0\\nvalue1\\n…``."""

    def __init__(self, values: list[str]) -> None:
        self.text = "\n" + "\n".join(values) + "\n"
        self.starts = [0, *accumulate(len(v) + 1 for v in values)]  # offset of each "\n"
        self.alphabet = frozenset(self.text)

    def collect(self, needle: str, found: dict[int, None], limit: int) -> None:
        """Add the ranks of items whose value contains ``needle``, best first; a needle
        with a character this field never uses costs no scan."""
        if len(found) >= limit or not self.alphabet.issuperset(needle):
            return
        text, starts = self.text, self.starts
        position = text.find(needle)
        while position >= 0 and len(found) < limit:
            rank = bisect_right(starts, position) - 1
            found.setdefault(rank)
            position = text.find(needle, starts[rank + 1])


class CatalogueIndex:
    """The catalogue as the counter uses it: by code for tickets, ranked search for typing."""

    def __init__(self, entries: list[IndexedItem]) -> None:
        self._entries = sorted(entries, key=lambda e: (len(e.item.name), e.item.code))
        self._by_code = {e.item.code: e.item for e in self._entries}
        self._rank_of_code = {e.item.code.lower(): r for r, e in enumerate(self._entries)}
        self._prefix_fields = [
            _Joined([e.item.name for e in self._entries]),
            _Joined([e.initials for e in self._entries]),
            _Joined([e.pinyin for e in self._entries]),
            _Joined([e.item.code.lower() for e in self._entries]),
        ]
        self._anywhere_chinese = _Joined(
            [FIELD_SEPARATOR.join((e.item.name, e.item.department)) for e in self._entries]
        )
        self._anywhere_latin = _Joined(
            [
                FIELD_SEPARATOR.join(
                    (e.initials, e.pinyin, e.item.code.lower(), *_latin_part(e.item.name))
                )
                for e in self._entries
            ]
        )

    def __len__(self) -> int:
        return len(self._entries)

    def by_code(self, code: str) -> ServiceItem | None:
        return self._by_code.get(code)

    def search(self, query: str, limit: int = 10) -> list[ServiceItem]:
        """The best ``limit`` items for ``query``; empty for an empty query."""
        q = normalise(query)
        if not q or FIELD_SEPARATOR in q:
            return []
        found: dict[int, None] = {}
        exact = self._rank_of_code.get(q)
        if exact is not None:
            found[exact] = None
        for field in self._prefix_fields:
            field.collect("\n" + q, found, limit)
        (self._anywhere_latin if q.isascii() else self._anywhere_chinese).collect(q, found, limit)
        return [self._entries[rank].item for rank in found]
