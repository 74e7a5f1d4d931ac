"""Where the bundled data lives, and checksums that let loaders skip unchanged parts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

HEGANG_DATA_DIR = Path(settings.BASE_DIR) / "data" / "hegang"


def files_checksum(paths: Iterable[Path], *, salt: str = "") -> str:
    """Return a SHA-256 over the names and bytes of ``paths`` (and a loader version salt)."""
    digest = hashlib.sha256(salt.encode())
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
