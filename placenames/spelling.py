"""Typo tolerance for queries typed as pinyin letters (no Django: tested without a database).

A query typed in Latin letters with one wrong, missing, extra or swapped letter is mapped to
the spellings one edit away that still read as whole pinyin syllables (Norvig's edit-1
candidates, filtered by a syllable parse); the search looks those keys up exactly.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

LETTERS = "abcdefghijklmnopqrstuvwxyzü"
# Longer queries have thousands of variants and are rarely typed in full.
MAX_KEY_LETTERS = 24


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Return every toneless pinyin syllable pypinyin's dictionary knows (ü written as ü)."""
    toned = {reading for readings in pinyin_dict.values() for reading in readings.split(",")}
    return frozenset(to_normal(reading, v_to_u=True) for reading in toned)


def _trie_pattern(words: set[str]) -> str:
    """Return a regex matching exactly ``words``, factored by common prefixes."""
    heads: dict[str, set[str]] = {}
    for word in words:
        if word:
            heads.setdefault(word[0], set()).add(word[1:])
    branches = []
    for head, tails in sorted(heads.items()):
        rest = _trie_pattern(tails)
        if not rest:
            branches.append(re.escape(head))
        else:
            branches.append(re.escape(head) + (f"(?:{rest})?" if "" in tails else f"(?:{rest})"))
    return "|".join(branches)


@lru_cache(maxsize=1)
def _syllable_run() -> re.Pattern[str]:
    # A backtracking regex tries every split in C; factoring the 400-odd syllables into a
    # trie keeps each step to a few comparisons.
    return re.compile(f"(?:{_trie_pattern(set(syllables()))})+")


def is_pinyin(key: str) -> bool:
    """Return whether ``key`` splits into whole pinyin syllables (jinshan → jin shan)."""
    return _syllable_run().fullmatch(key) is not None


def edits1(key: str) -> set[str]:
    """Return every string one letter edit (replace, delete, insert, swap) away from ``key``."""
    splits = [(key[:i], key[i:]) for i in range(len(key) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    inserts = {a + c + b for a, b in splits for c in LETTERS}
    return (deletes | swaps | replaces | inserts) - {key}


@lru_cache(maxsize=4096)
def pinyin_variants(key: str) -> tuple[str, ...]:
    """Return the pinyin spellings one letter edit from ``key`` (wubaijue → wubaijie, …).

    Empty for keys of fewer than four letters (every short string is a few syllables
    one edit away) or more than MAX_KEY_LETTERS.
    """
    if not 4 <= len(key) <= MAX_KEY_LETTERS:
        return ()
    return tuple(sorted(v for v in edits1(key) if is_pinyin(v)))
