"""The lost-update check of the editors' load bench (bench/bench_load.py) catches what it must."""

from __future__ import annotations

import pytest

from bench.bench_load import edits_start, lost_updates_check
from boundaries.models import AdministrativeArea
from placenames.addresses.models import DoorPlate
from placenames.addresses.services.plates import PLATE_WRITES, PlateRequest, plates_create

from .conftest import EAST, NORTH_LAT, WEST

pytestmark = pytest.mark.django_db


@pytest.fixture
def plate(hegang_areas, make_street):
    county = AdministrativeArea.objects.get(code="230402")
    street = make_street(name="新华路", county=county)
    plates_create(
        street_id=street.pk, requests=[PlateRequest((EAST + WEST) / 2, NORTH_LAT, number=1)]
    )
    return DoorPlate.objects.get(street=street)


def _save(plate_id: int, version: int, marker: str) -> dict:
    saved = PLATE_WRITES.update(
        pk=plate_id,
        expected_version=version,
        changes={"building": marker, "comment": "测试"},
        user=None,
    )
    etag = f'"door-plates-{plate_id}-v{saved.version}"'
    return {"plate": plate_id, "marker": marker, "if_match": f'"door-plates-{plate_id}-v{version}"',
            "status": 200, "etag": etag}  # fmt: skip


def test_saves_in_the_data_and_history_pass_and_stale_refusals_count(plate):
    start = edits_start([plate])
    v0 = plate.version
    rows = [_save(plate.pk, v0, "L1-1"), _save(plate.pk, v0 + 1, "L2-1")]
    rows.append({**rows[0], "marker": "L3-1", "status": 412, "etag": None})  # read at v0: stale
    assert lost_updates_check(rows, start) == {"accepted": 2, "refused": 1}


def test_an_accepted_save_missing_from_the_data_is_reported(plate):
    start = edits_start([plate])
    v0 = plate.version
    rows = [_save(plate.pk, v0, "L1-1")]
    # A second 200 on the same version: one of the two was overwritten.
    rows.append({**rows[0], "marker": "L2-1"})
    with pytest.raises(RuntimeError, match="lost or wrongly refused"):
        lost_updates_check(rows, start)


def test_a_save_refused_on_the_current_version_or_with_a_500_is_reported(plate):
    start = edits_start([plate])
    v0 = plate.version
    current = f'"door-plates-{plate.pk}-v{v0}"'
    refused = {"plate": plate.pk, "marker": "L1-1", "if_match": current, "status": 412}
    with pytest.raises(RuntimeError, match="wrongly refused"):
        lost_updates_check([refused], start)
    with pytest.raises(RuntimeError, match="neither 200 nor 409/412"):
        lost_updates_check([{**refused, "status": 500}], start)
