"""A bounded, thread-safe store of ready answers, each tagged with the data generation it was made at.

No Django here: the portal's middleware (gis_portal/public_cache.py) decides what may be
stored and under which key; this module only keeps the bytes within a budget.

An answer is served only for the generation it was made at, so nothing here has to be
told about edits: once the data generation moves on, the old answers are never served
again and, no longer used, are the first to be evicted. Memory is bounded by bytes, not by
count (a dense vector tile weighs a hundred search answers): the content, the headers and
the key are counted, plus a fixed allowance per entry for the Python objects around them
(measured at ~0.5 KB on CPython 3.11; an estimate, not an exact accounting).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

ENTRY_OVERHEAD_BYTES = 512


@dataclass(frozen=True)
class Answer:
    """A finished HTTP answer: status, headers in order, body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def size_bytes(self) -> int:
        """Return the bytes this answer is counted for (body, headers, overhead)."""
        header_bytes = sum(len(k) + len(v) for k, v in self.headers)
        return len(self.content) + header_bytes + ENTRY_OVERHEAD_BYTES


def key_size_bytes(key: Hashable) -> int:
    """Return the bytes counted for a key (its text parts)."""
    if isinstance(key, tuple):
        return sum(len(part) if isinstance(part, str | bytes) else 8 for part in key)
    return len(key) if isinstance(key, str | bytes) else 8


class AnswerCache:
    """Answers by key, least recently used evicted first, never more than ``max_bytes``.

    ``max_entry_bytes`` refuses a single answer that would crowd out many others.
    """

    def __init__(self, *, max_bytes: int, max_entry_bytes: int) -> None:
        if max_bytes <= 0 or max_entry_bytes <= 0:
            raise ValueError("max_bytes and max_entry_bytes must be positive")
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._items: OrderedDict[Hashable, tuple[Hashable, Answer, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        """Return the bytes currently counted."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable, *, generation: Hashable) -> Answer | None:
        """Return the answer stored under ``key`` at ``generation``, or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != generation:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Hashable, answer: Answer, *, generation: Hashable) -> bool:
        """Store ``answer`` made at ``generation``; return False if it is too large to keep."""
        size = answer.size_bytes() + key_size_bytes(key)
        if size > self.max_entry_bytes:
            return False
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            self._items[key] = (generation, answer, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, _, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
        return True

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._items.clear()
            self._bytes = 0
