"""The geocoder's result and query types."""

from __future__ import annotations

from dataclasses import dataclass, field

PROVINCE = "黑龙江省"
LEVEL_RANK = {"plate": 0, "interpolated": 1, "street": 2, "placename": 3, "area": 4}


@dataclass
class GeocodeResult:
    level: str  # plate / interpolated / street / placename / area
    score: float
    lon: float
    lat: float
    address: str
    matched: dict
    is_demo: bool = False
    ids: dict = field(default_factory=dict)
    note: str = ""
    warnings: list[dict] = field(default_factory=list)  # {"code", "message"} in Chinese
    # The address's parts (city, county, township, street, number, name) for GeocodeJSON.
    parts: dict = field(default_factory=dict)
    distance_m: float | None = None  # from the location bias point, when one was given

    @property
    def interpolated(self) -> bool:
        return self.level == "interpolated"


@dataclass(frozen=True)
class StructuredQuery:
    """An address given field by field (street=, number=, district=, township=)."""

    street: str
    number: str | None = None
    district: str | None = None
    township: str | None = None


def full_address(city: str, county: str, township: str, street: str, number: str = "") -> str:
    return f"{PROVINCE}{city}{county}{township}{street}{number}"
