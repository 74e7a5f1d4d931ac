"""Large files are read in chunks: every feature once, line numbers running on."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely import Point

from gis_portal.importing import readers
from placenames.importers.service import placenames_import
from placenames.models import PlaceName
from placenames.services.names import categories_load

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("chunk", [2, 5])  # a partial last chunk, and an exact multiple
def test_geopackage_read_in_chunks_keeps_every_row_and_its_line(
    hegang_areas, tmp_path, monkeypatch, chunk
):
    categories_load()
    monkeypatch.setattr(readers, "GIS_CHUNK", chunk)
    names = ["松鹤一路", "松鹤二路", "松鹤三路", "松鹤四路", "松鹤五路"]
    frame = gpd.GeoDataFrame(
        {
            "标准名称": names,
            "类别": ["23512"] * 4 + ["99999"],  # the fifth has an unknown category
            "行政区划代码": ["230405001"] * 5,
        },
        geometry=[Point(130.23 + k / 1000, 47.25) for k in range(5)],
        crs="EPSG:4490",
    )
    path = tmp_path / "names.gpkg"
    frame.to_file(path, driver="GPKG", engine="pyogrio")
    report = placenames_import(path=path, accept_valid_rows=True)
    assert report.rows == 5 and report.valid == 4
    assert [e.line for e in report.errors] == [5]
    assert set(PlaceName.objects.values_list("standard_name", flat=True)) == set(names[:4])
