"""Writes for the Beijing 1954 → CGCS2000 conversion: parameter sets and conversion runs."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction
from django.utils import timezone

from boundaries.conversion import ParameterSpec, convert_coordinates, spec_check
from boundaries.crs import BEIJING1954, CrsError, crs_get
from boundaries.errors import ParameterSetNotApproved, TransformationInvalid
from boundaries.lines import as_multilinestring
from boundaries.models import (
    BoundaryLine,
    BoundaryMarker,
    ConversionRun,
    TransformationParameterSet,
)
from boundaries.transform_fit import CommonPoint, FitError, FitResult
from gis_portal.errors import NotFound
from gis_portal.history import history_context
from gis_portal.local_time import local_datetime_text


def parameter_set_create(
    *, name: str, result: FitResult, points: list[CommonPoint], is_demo: bool = False
) -> TransformationParameterSet:
    """Store a fit (parameters, evidence, pipeline); it still needs approval to be used."""
    return TransformationParameterSet.objects.create(
        name=name,
        model=result.model,
        parameters=result.parameters,
        source_crs=result.source.code,
        target_crs=result.target.code,
        pipeline=result.pipeline,
        common_points=[asdict(p) for p in points],
        residuals_m=result.residuals_m,
        rejected=result.rejected,
        check_residuals_m=result.check_residuals_m,
        rms_m=result.rms_m,
        check_rms_m=result.check_rms_m,
        warnings=result.warnings,
        is_demo=is_demo,
    )


def parameter_set_approve(
    *, parameter_set: TransformationParameterSet, approved_by: str
) -> TransformationParameterSet:
    """Record who approved a parameter set, and when."""
    if not approved_by.strip():
        raise TransformationInvalid("审批人不能为空")
    parameter_set.approved_by = approved_by.strip()
    parameter_set.approved_at = timezone.now()
    parameter_set.save(update_fields=["approved_by", "approved_at"])
    return parameter_set


def _spec(ps: TransformationParameterSet) -> ParameterSpec:
    return ParameterSpec(ps.model, ps.parameters, ps.source_crs, ps.target_crs, ps.pipeline)


def _in_beijing1954(code: str) -> bool:
    try:
        return crs_get(code).datum == BEIJING1954
    except CrsError:
        return False


def _line_save(line: BoundaryLine, geom_4490: GEOSGeometry, ps, now) -> None:
    line.geom_4490 = geom_4490
    line.converted_with = ps
    line.converted_at = now
    line.save(update_fields=["geom_4490", "converted_with", "converted_at"])


def _marker_save(marker: BoundaryMarker, values: dict, ps, now) -> None:
    marker.geom_4490 = Point(values["lon"], values["lat"], srid=4490)
    marker.cgcs_x_m = values["x_m"]
    marker.cgcs_y_m = values["y_m"]
    marker.cgcs_crs = values["plane_crs"]
    marker.converted_with = ps
    marker.converted_at = now
    marker.save(
        update_fields=[
            "geom_4490",
            "cgcs_x_m",
            "cgcs_y_m",
            "cgcs_crs",
            "converted_with",
            "converted_at",
        ]
    )


def boundaries_convert(*, parameter_set_id: int, dry_run: bool = False, run_by: str = "") -> dict:
    """Convert every line and marker still held in Beijing 1954 with one parameter set.

    Converts from the originals (never from earlier results); records already converted
    with this set are left alone, so a re-run changes nothing. All or nothing: one
    transaction, rows locked; ``dry_run`` computes the same report and writes nothing.
    """
    try:
        ps = TransformationParameterSet.objects.get(pk=parameter_set_id)
    except TransformationParameterSet.DoesNotExist:
        raise NotFound(f"转换参数集 {parameter_set_id} 不存在") from None
    if ps.approved_at is None:
        raise ParameterSetNotApproved(f"转换参数集「{ps.name}」尚未审批，不能用于转换")
    spec = _spec(ps)
    try:
        spec_check(spec)
    except (FitError, CrsError) as exc:
        raise TransformationInvalid(str(exc)) from exc

    now = timezone.now()
    with transaction.atomic():
        lines = [
            ln
            for ln in BoundaryLine.objects.select_for_update()
            .exclude(original_wkt="")
            .order_by("pk")
            if _in_beijing1954(ln.original_crs)
        ]
        markers = [
            m
            for m in BoundaryMarker.objects.select_for_update()
            .filter(original_x__isnull=False, original_y__isnull=False)
            .order_by("pk")
            if _in_beijing1954(m.original_crs)
        ]
        shifts: list[np.ndarray] = []
        by_crs: Counter = Counter()
        line_updates = []
        unchanged_lines = 0
        vertices = 0
        try:
            for line in lines:
                if line.converted_with_id == ps.id:
                    unchanged_lines += 1
                    continue
                geom = shapely.from_wkt(line.original_wkt)
                coords = shapely.get_coordinates(geom)
                conv = convert_coordinates(
                    spec, crs_get(line.original_crs), coords[:, 0], coords[:, 1]
                )
                new = as_multilinestring(
                    shapely.set_coordinates(geom, np.column_stack([conv.lon, conv.lat]))
                )
                line_updates.append((line, GEOSGeometry(memoryview(new.wkb), srid=4490)))
                shifts.append(conv.shift_m)
                vertices += len(coords)
                by_crs[line.original_crs] += len(coords)
            marker_updates = []
            pending = [m for m in markers if m.converted_with_id != ps.id]
            groups: dict[str, list[BoundaryMarker]] = {}
            for m in pending:
                groups.setdefault(m.original_crs, []).append(m)
            for code, group in groups.items():
                conv = convert_coordinates(
                    spec,
                    crs_get(code),
                    [m.original_x for m in group],
                    [m.original_y for m in group],
                )
                for i, m in enumerate(group):
                    marker_updates.append(
                        (
                            m,
                            {
                                "lon": float(conv.lon[i]),
                                "lat": float(conv.lat[i]),
                                "x_m": float(conv.x_m[i]),
                                "y_m": float(conv.y_m[i]),
                                "plane_crs": conv.plane_crs.code,
                            },
                        )
                    )
                shifts.append(conv.shift_m)
                by_crs[code] += len(group)
        except (FitError, CrsError) as exc:
            raise TransformationInvalid(str(exc)) from exc

        all_shifts = np.concatenate(shifts) if shifts else np.zeros(0)
        report = {
            "parameter_set": parameter_set_summary(ps),
            "dry_run": dry_run,
            "lines_converted": len(line_updates),
            "lines_unchanged": unchanged_lines,
            "markers_converted": len(marker_updates),
            "markers_unchanged": len(markers) - len(pending),
            "features_converted": len(line_updates) + len(marker_updates),
            "vertices_converted": vertices + len(marker_updates),
            "points_by_crs": dict(sorted(by_crs.items())),
            "max_shift_m": round(float(all_shifts.max()), 3) if all_shifts.size else None,
            "mean_shift_m": round(float(all_shifts.mean()), 3) if all_shifts.size else None,
            "run_id": None,
        }
        if dry_run:
            return report
        # The history rows of these writes say which parameter set moved them and who ran it.
        with history_context(
            user=None,
            username=run_by,
            comment=f"坐标转换：{ps.name}",
            source="convert_boundaries",
        ):
            for line, geom in line_updates:
                _line_save(line, geom, ps, now)
            for marker, values in marker_updates:
                _marker_save(marker, values, ps, now)
        run = ConversionRun.objects.create(parameter_set=ps, run_by=run_by, report=report)
        report["run_id"] = run.pk
        run.report = report
        run.save(update_fields=["report"])
    return report


def parameter_set_summary(ps: TransformationParameterSet) -> dict:
    """Return what a conversion report shows about its parameter set."""
    return {
        "id": ps.pk,
        "name": ps.name,
        "model": ps.model,
        "parameters": ps.parameters,
        "source_crs": ps.source_crs,
        "target_crs": ps.target_crs,
        "rms_m": ps.rms_m,
        "check_rms_m": ps.check_rms_m,
        "residuals_m": ps.residuals_m,
        "check_residuals_m": ps.check_residuals_m,
        "rejected": ps.rejected,
        "pipeline": ps.pipeline,
        "approved_by": ps.approved_by,
        "approved_at": ps.approved_at.isoformat() if ps.approved_at else None,
        # As printed on the report: the bureau's time zone (the ISO string above is UTC).
        "approved_at_local": local_datetime_text(ps.approved_at),
        "model_label": ps.get_model_display(),
        "is_demo": ps.is_demo,
    }
