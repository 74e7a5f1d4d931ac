"""The pure parts of the layer exports: CRS and bbox checks, shapefile names, the DXF writer."""

from __future__ import annotations

import ezdxf
import pytest
import shapely
from ezdxf import recover

from gis_portal.exports.dxf import DxfWriter
from gis_portal.exports.formats import (
    CRSES,
    FORMATS,
    ExportRefused,
    bbox_in_crs,
    crs_of,
    dxf_layer_name,
    shapefile_field_names,
)
from gis_portal.metric_crs import to_metric


def test_shapefile_names_are_at_most_ten_characters_unique_and_repeatable():
    names = ["standard_name", "standard_named", "standard_n", "pinyin_needs_check", "is_demo"]
    first = shapefile_field_names(names)
    assert first == shapefile_field_names(names)
    assert all(len(v) <= 10 and v.isascii() for v in first.values())
    assert len({v.lower() for v in first.values()}) == len(names)
    assert first["is_demo"] == "is_demo"  # a short name is kept
    assert first["standard_name"] == "standard_n"
    assert first["standard_named"] == "standard_2"  # the clash numbered


def test_dxf_needs_a_gauss_kruger_crs_and_defaults_to_zone_43():
    assert crs_of(None, fmt=FORMATS["dxf"]).key == "EPSG:4552"
    assert crs_of(None, fmt=FORMATS["gpkg"]).key == "EPSG:4490"
    with pytest.raises(ExportRefused) as refused:
        crs_of("EPSG:4490", fmt=FORMATS["dxf"])
    assert refused.value.parameter == "crs"
    assert "EPSG:4552" in refused.value.message


def test_ogc_uris_name_the_same_crs_and_unknown_ones_are_refused():
    uri = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert crs_of(uri, fmt=FORMATS["geojson"]).key == "CRS84"
    with pytest.raises(ExportRefused) as refused:
        crs_of("EPSG:3857", fmt=FORMATS["gpkg"])
    assert refused.value.parameter == "crs" and "不支持的坐标系" in refused.value.message


def test_a_bbox_in_degrees_is_kept_and_a_swapped_one_refused():
    crs = CRSES["EPSG:4490"]
    assert bbox_in_crs("130.2,47.3,130.4,47.4", crs) == (130.2, 47.3, 130.4, 47.4)
    with pytest.raises(ExportRefused, match="颠倒"):
        bbox_in_crs("130.4,47.3,130.2,47.4", crs)
    with pytest.raises(ExportRefused, match="4 个数"):
        bbox_in_crs("130.4,47.3", crs)


def test_a_bbox_outside_the_crs_area_of_use_is_refused():
    # Zone 43 ends at 130.5°E: a box at 131–132°E belongs to zone 44.
    x0, y0 = (float(v) for v in to_metric(131.0, 47.0, epsg=4553))
    x1, y1 = (float(v) for v in to_metric(132.0, 47.5, epsg=4553))
    box = f"{x0:.0f},{y0:.0f},{x1:.0f},{y1:.0f}"
    assert bbox_in_crs(box, CRSES["EPSG:4553"]) is not None
    with pytest.raises(ExportRefused, match="EPSG:4552 的适用范围"):
        bbox_in_crs("900000,5200000,950000,5250000", CRSES["EPSG:4552"])
    with pytest.raises(ExportRefused, match="EPSG:4490 的适用范围"):
        bbox_in_crs("10,47,11,48", CRSES["EPSG:4490"])


def test_a_metric_bbox_becomes_a_covering_envelope_in_degrees():
    x0, y0 = (float(v) for v in to_metric(130.2, 47.3, epsg=4552))
    w, s, e, n = bbox_in_crs(f"{x0},{y0},{x0 + 2000},{y0 + 1000}", CRSES["EPSG:4552"])
    assert w <= 130.2 + 1e-9 and s <= 47.3 + 1e-9
    assert 130.22 < e < 130.23 and 47.30 < n < 47.31


def test_dxf_layer_names_lose_the_characters_cad_refuses():
    assert dxf_layer_name("门牌", "在用/临时") == "门牌-在用_临时"


def test_the_dxf_writer_keeps_chinese_layers_and_labels_for_ezdxf(tmp_path):
    path = tmp_path / "a.dxf"
    writer = DxfWriter(path)
    writer.add(layer="门牌-在用", geometry=shapely.Point(500000.1234, 5240000), label="新华路1号")
    writer.add(layer="界线", geometry=shapely.LineString([(0, 0), (10, 0), (10, 5)]))
    writer.add(layer="区域", geometry=shapely.box(0, 0, 10, 10), label="한区")  # 한 is not in GBK
    assert writer.close() == 3
    doc = ezdxf.readfile(path)
    # The recovering reader decodes the \\U+XXXX escapes as a CAD program shows them.
    recovered, _auditor = recover.readfile(path)
    assert {"门牌-在用", "界线", "区域"} <= {layer.dxf.name for layer in doc.layers}
    entities = list(doc.modelspace())
    point = next(e for e in entities if e.dxftype() == "POINT")
    assert point.dxf.layer == "门牌-在用"
    assert point.dxf.location.x == pytest.approx(500000.123)
    texts = sorted(e.dxf.text for e in recovered.modelspace() if e.dxftype() == "TEXT")
    assert texts == sorted(["新华路1号", "한区"])
    ring = next(e for e in entities if e.dxftype() == "POLYLINE" and e.dxf.layer == "区域")
    assert ring.is_closed and len(list(ring.vertices)) == 4
    assert not (tmp_path / "a.dxf.entities").exists()
