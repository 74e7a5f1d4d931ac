"""The romanisation of labels that store no spelling, registered by the domain app."""

from __future__ import annotations

from collections.abc import Callable

# The romanisation of a label that has no stored spelling (an area's name: 向阳区 Xiangyang Qu),
# registered by the app that owns the place-name rules (gis_portal imports no domain app).
_romanizers: list[Callable[[str], str]] = []


def romanizer_register(romanize: Callable[[str], str]) -> None:
    """Register the function that spells a place name in pinyin (GB/T 16159, 1984 rules)."""
    _romanizers[:] = [romanize]


def label_pinyin(name: str | None) -> str | None:
    """The pinyin of ``name`` by the registered rules (None without a name or rules)."""
    if not name or not _romanizers:
        return None
    try:
        return _romanizers[0](name) or None
    except ValueError:  # a name the rules cannot spell is printed without pinyin
        return None
