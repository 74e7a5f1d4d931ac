"""Door plates on one street, a boundary line and marker, and keyed accounts for the OGC tests."""

from __future__ import annotations

from gis_portal.accounts import token_issue
from gis_portal.metric_crs import to_metric
from placenames.addresses.models import DoorPlate
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.plates import PlateRequest, plates_create
from placenames.addresses.services.streets import street_create
from tests.editing.factories import role_user

WEST, EAST, LAT = 130.280, 130.290, 47.340


def street_with_plates(n: int, *, name: str = "新华路") -> list[DoorPlate]:
    """A street along 47.34°N with ``n`` plates along its north side, numbered 1, 3, 5 …"""
    coords = ((WEST, LAT), (EAST, LAT))
    street = street_create(
        name=name, coords_4490=coords, rule=rule_beijing([to_metric(*c) for c in coords])
    )
    step = (EAST - WEST) / (n + 1)
    return plates_create(
        street_id=street.pk,
        requests=[
            PlateRequest(lon=WEST + step * (i + 1), lat=LAT + 0.0001, number=2 * i + 1)
            for i in range(n)
        ],
    )


def keyed(username: str, role: str, *, scopes: tuple[str, ...] = ()) -> str:
    """An account of ``role`` and an API key of ``scopes`` for it; return the header value."""
    role_user(username, role)
    return "Token " + token_issue(username=username, scopes=scopes)
