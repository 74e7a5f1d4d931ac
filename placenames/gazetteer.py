"""Read the GeoNames cities1000 extract shipped in data/hegang (no Django)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


@dataclass(frozen=True)
class GeoNamesRow:
    geonames_id: int
    name: str
    name_zh: str
    alternate_names: str
    lon: float
    lat: float
    feature_code: str
    population: int


def read_geonames_tsv(path: Path) -> list[GeoNamesRow]:
    """Return the rows of a GeoNames dump file (tab-separated, no header)."""
    rows = []
    with path.open(encoding="utf-8", newline="") as f:
        for cols in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            alternates = cols[3].split(",") if cols[3] else []
            # Prefer the simplified form with a generic (鹤岗市) over the bare one (鹤岗).
            han = sorted((a for a in alternates if _HAN.match(a)), key=lambda a: (-len(a), a))
            simplified = [a for a in han if not any(ch in a for ch in "鶴崗")]
            rows.append(
                GeoNamesRow(
                    geonames_id=int(cols[0]),
                    name=cols[1],
                    name_zh=(simplified or han or [""])[0],
                    alternate_names=cols[3],
                    lat=float(cols[4]),
                    lon=float(cols[5]),
                    feature_code=cols[7],
                    population=int(cols[14] or 0),
                )
            )
    return rows
