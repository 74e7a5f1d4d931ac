"""Moments on staff pages and official reports are in the bureau's time zone (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from boundaries.models import ConversionRun, TransformationParameterSet
from boundaries.reports import conversion_report_text
from boundaries.services.conversion import parameter_set_summary
from gis_portal.local_time import local_datetime_text
from tests.editing.factories import role_user

# 17:07 UTC on 2 December is 01:07 on 3 December in Hegang (UTC+8).
APPROVED_UTC = dt.datetime(2026, 12, 2, 17, 7, tzinfo=dt.UTC)


def test_a_utc_moment_is_shown_on_the_local_day():
    assert local_datetime_text(APPROVED_UTC) == "2026-12-03 01:07"
    assert local_datetime_text(APPROVED_UTC.isoformat()) == "2026-12-03 01:07"
    assert local_datetime_text("2026-12-02T17:07:00") == "2026-12-03 01:07"  # naive: UTC
    assert local_datetime_text(None) == "—"


@pytest.fixture
def run(db):
    ps = TransformationParameterSet.objects.create(
        name="鹤岗 54→2000 四参数",
        model="4p",
        parameters={"tx_m": 1.0, "ty_m": 2.0, "scale": 1.0, "rotation_arcsec": 0.0},
        source_crs="EPSG:2440",
        target_crs="EPSG:4552",
        pipeline="+proj=noop",
        rms_m=0.02,
        approved_by="李处长",
        approved_at=APPROVED_UTC,
    )
    report = {
        "dry_run": False,
        "parameter_set": parameter_set_summary(ps),
        "features_converted": 0,
        "lines_converted": 0,
        "markers_converted": 0,
        "vertices_converted": 0,
        "lines_unchanged": 0,
        "markers_unchanged": 0,
        "max_shift_m": None,
        "mean_shift_m": None,
        "points_by_crs": {},
    }
    return ConversionRun.objects.create(parameter_set=ps, run_by="李处长", report=report)


@pytest.mark.django_db
def test_the_conversion_report_prints_the_approval_on_the_parameter_pages_day(run):
    client = Client()
    client.force_login(role_user("tz-boundary", "boundary_officer"))
    report = client.get(f"/boundaries/conversions/{run.pk}/").content.decode()
    params = client.get(f"/boundaries/parameters/{run.parameter_set.pk}/").content.decode()
    assert "2026-12-03 01:07" in params
    assert '<span id="approved-at">2026-12-03 01:07</span>' in report
    assert "2026-12-02" not in report
    # Labels, not codes: the model in words, the systems named.
    assert "四参数（平面）" in report and "（4p）" not in report
    assert "Beijing 1954" in report and "（EPSG:2440）" in report


@pytest.mark.django_db
def test_the_text_report_too(run):
    text = conversion_report_text(run.report)
    assert "审批：李处长 2026-12-03 01:07" in text and "四参数（平面）" in text


@pytest.mark.django_db
def test_a_report_stored_before_the_labels_still_prints_the_local_day(run):
    ps = run.report["parameter_set"]
    del ps["approved_at_local"], ps["model_label"]
    run.save()
    client = Client()
    client.force_login(role_user("tz-boundary2", "boundary_officer"))
    report = client.get(f"/boundaries/conversions/{run.pk}/").content.decode()
    assert '<span id="approved-at">2026-12-03 01:07</span>' in report
