"""The CRS table agrees with the EPSG database; zones are read from the data."""

from __future__ import annotations

import pytest
from pyproj import CRS

from boundaries.crs import (
    CRS_TABLE,
    CrsError,
    coordinates_check,
    crs_detect_projected,
    crs_get,
    projected_for,
    zone_for_longitude,
)


@pytest.mark.parametrize("epsg", sorted(CRS_TABLE))
def test_table_rows_match_the_epsg_database(epsg):
    ours = CRS_TABLE[epsg]
    theirs = CRS.from_epsg(epsg)
    a, rf = {"krass": (6378245.0, 298.3), "GRS80": (6378137.0, 298.257222101)}[ours.ellps]
    assert theirs.ellipsoid.semi_major_metre == a
    assert theirs.ellipsoid.inverse_flattening == pytest.approx(rf, abs=1e-9)
    if ours.is_geographic:
        assert theirs.is_geographic
        return
    params = {p.name: p.value for p in theirs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == ours.lon_0
    assert params["False easting"] == ours.x_0


def test_zone_from_longitude():
    assert zone_for_longitude(130.29, 3) == 43
    assert zone_for_longitude(131.86, 3) == 44
    assert zone_for_longitude(130.29, 6) == 22
    assert zone_for_longitude(132.5, 6) == 23
    assert projected_for("cgcs2000", lon_deg=131.86).code == "EPSG:4553"


def test_zone_read_from_prefixed_eastings():
    assert crs_detect_projected("beijing1954", [43_520_000.0], [5_240_000.0]).code == "EPSG:2419"
    assert crs_detect_projected("cgcs2000", [22_520_000.0], [5_240_000.0]).code == "EPSG:4500"
    with pytest.raises(CrsError, match="无法判断投影带"):
        crs_detect_projected("cgcs2000", [520_000.0], [5_240_000.0])
    with pytest.raises(CrsError, match="混合投影带"):
        crs_detect_projected("cgcs2000", [43_520_000.0, 44_400_000.0], [5_240_000.0] * 2)


def test_geographic_checks():
    coordinates_check(crs_get("EPSG:4490"), [130.3], [47.3])
    with pytest.raises(CrsError, match="经纬度互换"):
        coordinates_check(crs_get("EPSG:4490"), [47.3], [130.3])
    with pytest.raises(CrsError, match="EPSG:4531"):
        coordinates_check(crs_get("EPSG:4552"), [43_520_000.0], [5_240_000.0])
    with pytest.raises(CrsError, match="带号为 44"):
        coordinates_check(crs_get("EPSG:4531"), [44_520_000.0], [5_240_000.0])
