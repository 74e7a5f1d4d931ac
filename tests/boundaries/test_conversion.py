"""The end-to-end conversion on the demo: fit, convert, compare with the truth, re-run, fail."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from pyproj import Geod

from boundaries.crs import crs_get
from boundaries.demo_loader import boundary_demo_load, county_polygons_4490, demo_truth_build
from boundaries.errors import ParameterSetNotApproved, TransformationInvalid
from boundaries.lines import marker_number
from boundaries.models import (
    BoundaryLine,
    BoundaryMarker,
    ConversionRun,
    TransformationParameterSet,
)
from boundaries.services import conversion as conversion_services
from boundaries.services.conversion import (
    boundaries_convert,
    parameter_set_approve,
    parameter_set_create,
)
from boundaries.transform_fit import CommonPoint, fit_transformation

pytestmark = pytest.mark.django_db
GEOD = Geod(ellps="GRS80")


@pytest.fixture
def boundary_demo(hegang_areas):
    return boundary_demo_load()


def _truth_markers() -> dict[str, tuple[float, float]]:
    _, spots = demo_truth_build(county_polygons_4490())
    return {
        marker_number(code, s.sequence, s.type_code): (lon, lat)
        for code, line_spots in spots.items()
        for s, lon, lat in line_spots
    }


def _distances_m(markers, truth) -> np.ndarray:
    lon = np.array([m.geom_4490.x for m in markers])
    lat = np.array([m.geom_4490.y for m in markers])
    t_lon = np.array([truth[m.number][0] for m in markers])
    t_lat = np.array([truth[m.number][1] for m in markers])
    return np.asarray(GEOD.inv(lon, lat, t_lon, t_lat)[2])


def test_demo_fit_recovers_the_truth_at_check_points(boundary_demo):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    assert ps.approved_at is not None
    assert ps.rejected == ["GP07"]  # the 30 cm blunder
    assert len(ps.check_residuals_m) == 10
    assert max(ps.check_residuals_m.values()) < 0.05
    assert ps.check_rms_m < 0.03


def test_converted_markers_and_lines_match_the_truth(boundary_demo):
    markers = list(BoundaryMarker.objects.filter(is_demo=True))
    assert len(markers) == boundary_demo["markers"] > 100
    d = _distances_m(markers, _truth_markers())
    # Each Beijing 1954 coordinate carries 1 cm noise; the fit adds ~1 cm.
    assert np.sqrt(np.mean(d**2)) < 0.03
    assert d.max() < 0.08
    ps = TransformationParameterSet.objects.get(is_demo=True)
    assert all(m.converted_with_id == ps.id for m in markers)
    assert all(m.cgcs_crs in {"EPSG:4552", "EPSG:4553"} for m in markers)
    edges, _ = demo_truth_build(county_polygons_4490())
    for line in BoundaryLine.objects.filter(is_demo=True):
        truth = edges[(line.area_a.code, line.area_b.code)]
        got = shapely.from_wkb(bytes(line.geom_4490.wkb))
        assert got.hausdorff_distance(truth) < 1e-6  # degrees: ~0.1 m
        assert line.original_crs in {"EPSG:2440", "EPSG:2441"}
        assert line.converted_with_id == ps.id


def test_rerun_with_the_same_set_changes_nothing(boundary_demo):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    before = {m.pk: (m.geom_4490.wkt, m.converted_at) for m in BoundaryMarker.objects.all()}
    report = boundaries_convert(parameter_set_id=ps.pk)
    assert report["features_converted"] == 0
    assert report["markers_unchanged"] == len(before)
    after = {m.pk: (m.geom_4490.wkt, m.converted_at) for m in BoundaryMarker.objects.all()}
    assert after == before


def _four_parameter_set(ps) -> TransformationParameterSet:
    points = [CommonPoint(**p) for p in ps.common_points]
    result = fit_transformation(
        points, model="4p", source=crs_get("EPSG:2440"), target=crs_get("EPSG:4552")
    )
    new = parameter_set_create(name="四参数", result=result, points=points)
    return new


def test_a_new_set_reconverts_from_the_originals_and_dry_run_writes_nothing(boundary_demo):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    shifted = dict(ps.parameters, tx_m=ps.parameters["tx_m"] + 1.0)
    new = TransformationParameterSet.objects.create(
        name="平移 1 m 的参数",
        model="7p",
        parameters=shifted,
        source_crs=ps.source_crs,
        target_crs=ps.target_crs,
        pipeline="",
        rms_m=0.0,
    )
    with pytest.raises(ParameterSetNotApproved):
        boundaries_convert(parameter_set_id=new.pk)
    parameter_set_approve(parameter_set=new, approved_by="张科长")
    truth = _truth_markers()
    dry = boundaries_convert(parameter_set_id=new.pk, dry_run=True)
    assert dry["markers_converted"] == len(truth) and dry["run_id"] is None
    assert not BoundaryMarker.objects.filter(converted_with=new).exists()
    real = boundaries_convert(parameter_set_id=new.pk)
    assert {k: v for k, v in real.items() if k != "run_id"} == {
        k: v for k, v in dry.items() if k != "run_id"
    } | {"dry_run": False}
    markers = list(BoundaryMarker.objects.all())
    d = _distances_m(markers, truth)
    # Moved by the 1 m translation relative to the truth — not by 2 m (from the originals).
    assert 0.3 < np.median(d) < 1.05
    # And back: the first set again gives the truth again.
    boundaries_convert(parameter_set_id=ps.pk)
    d = _distances_m(list(BoundaryMarker.objects.all()), truth)
    assert d.max() < 0.08
    assert ConversionRun.objects.count() == 3


def test_four_parameter_set_refuses_lines_in_another_zone(boundary_demo):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    new = _four_parameter_set(ps)
    parameter_set_approve(parameter_set=new, approved_by="张科长")
    with pytest.raises(TransformationInvalid, match="EPSG:2441"):
        boundaries_convert(parameter_set_id=new.pk)
    assert not BoundaryMarker.objects.filter(converted_with=new).exists()


def test_an_interrupted_conversion_leaves_nothing_partly_converted(boundary_demo, monkeypatch):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    new = TransformationParameterSet.objects.create(
        name="另一组参数",
        model="7p",
        parameters=dict(ps.parameters, ty_m=ps.parameters["ty_m"] - 0.5),
        source_crs=ps.source_crs,
        target_crs=ps.target_crs,
        pipeline="",
        rms_m=0.0,
    )
    parameter_set_approve(parameter_set=new, approved_by="张科长")
    before = {m.pk: (m.geom_4490.wkt, m.converted_with_id) for m in BoundaryMarker.objects.all()}
    lines_before = {ln.pk: ln.geom_4490.wkt for ln in BoundaryLine.objects.all()}
    calls = {"n": 0}
    real_save = conversion_services._marker_save

    def failing_save(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 40:
            raise RuntimeError("断电")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(conversion_services, "_marker_save", failing_save)
    with pytest.raises(RuntimeError):
        boundaries_convert(parameter_set_id=new.pk)
    assert calls["n"] == 40  # lines and 39 markers had been written before the failure
    after = {m.pk: (m.geom_4490.wkt, m.converted_with_id) for m in BoundaryMarker.objects.all()}
    assert after == before
    assert {ln.pk: ln.geom_4490.wkt for ln in BoundaryLine.objects.all()} == lines_before
    assert not ConversionRun.objects.filter(parameter_set=new).exists()


def test_convert_boundaries_command(boundary_demo, capsys):
    ps = TransformationParameterSet.objects.get(is_demo=True)
    call_command("convert_boundaries", "--parameters", str(ps.pk), "--dry-run")
    out = capsys.readouterr().out
    assert "试运行" in out and "转换要素：0" in out
    with pytest.raises(CommandError, match="不存在"):
        call_command("convert_boundaries", "--parameters", "999999")
