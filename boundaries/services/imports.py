"""Writes for survey imports: parse (importers) → validate → write, in one transaction."""

from __future__ import annotations

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from boundaries.crs import CGCS2000, CRS_TABLE, transformer_between
from boundaries.errors import ImportFileInvalid
from boundaries.importers.surveys import ParsedSurvey
from boundaries.lines import as_multilinestring
from boundaries.models import (
    MARKER_KIND_OF_TYPE,
    AdministrativeArea,
    BoundaryLine,
    BoundaryMarker,
)

CGCS2000_LONLAT = CRS_TABLE[4490]


def _wkt(geom, geographic: bool) -> str:
    return shapely.to_wkt(geom, rounding_precision=9 if geographic else 4)


def _lonlat(survey: ParsedSurvey, geom):
    t = transformer_between(survey.crs, CGCS2000_LONLAT)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def survey_import(*, survey: ParsedSurvey, dry_run: bool = False) -> dict:
    """Create or update lines and markers from a parsed survey; return what was (or would be) done.

    Lines and markers keep the surveyed geometry as their original. In CGCS2000 they are
    stored at once; in Beijing 1954 their CGCS2000 geometry is cleared until
    ``convert_boundaries`` runs, so no record mixes a new original with an old conversion.
    """
    in_cgcs = survey.crs.datum == CGCS2000
    report = {
        "source": survey.source_name,
        "crs": survey.crs.code,
        "lines_created": 0,
        "lines_updated": 0,
        "markers_created": 0,
        "markers_updated": 0,
        "awaiting_conversion": not in_cgcs,
        "warnings": list(survey.warnings),
        "dry_run": dry_run,
    }
    existing_lines = {
        ln.code: ln
        for ln in BoundaryLine.objects.filter(
            code__in=[p.code for p in survey.lines] + [m.line_code for m in survey.markers]
        )
    }
    new_codes = set()
    for parsed in survey.lines:
        if parsed.code in existing_lines:
            continue
        if not (parsed.area_a and parsed.area_b):
            raise ImportFileInvalid(
                f"界线 {parsed.code} 不存在；新建界线需要甲乙双方区划代码（area_a / area_b）"
            )
        found = set(
            AdministrativeArea.objects.filter(
                code__in=[parsed.area_a, parsed.area_b], valid_to__isnull=True
            ).values_list("code", flat=True)
        )
        missing = {parsed.area_a, parsed.area_b} - found
        if missing or parsed.area_a == parsed.area_b:
            raise ImportFileInvalid(
                f"界线 {parsed.code} 的区划代码无效：{', '.join(sorted(missing)) or parsed.area_a}"
            )
        new_codes.add(parsed.code)
    for m in survey.markers:
        if m.line_code not in existing_lines and m.line_code not in new_codes:
            raise ImportFileInvalid(f"界桩 {m.number} 所属界线 {m.line_code} 不存在")
    existing_markers = {
        mk.number: mk
        for mk in BoundaryMarker.objects.filter(number__in=[m.number for m in survey.markers])
    }
    report["lines_created"] = len(new_codes)
    report["lines_updated"] = len(survey.lines) - len(new_codes)
    report["markers_created"] = sum(m.number not in existing_markers for m in survey.markers)
    report["markers_updated"] = len(survey.markers) - report["markers_created"]
    if dry_run:
        return report

    geographic = survey.crs.is_geographic
    with transaction.atomic():
        for parsed in survey.lines:
            geom_4490 = None
            if in_cgcs:
                ll = as_multilinestring(_lonlat(survey, parsed.geometry))
                geom_4490 = GEOSGeometry(memoryview(ll.wkb), srid=4490)
            values = {
                "original_wkt": _wkt(parsed.geometry, geographic),
                "original_crs": survey.crs.code,
                "geom_4490": geom_4490,
                "converted_with": None,
                "converted_at": None,
            }
            if parsed.code in existing_lines:
                line = existing_lines[parsed.code]
                for k, v in values.items():
                    setattr(line, k, v)
                if parsed.agreement_ref:
                    line.agreement_ref = parsed.agreement_ref
                line.save()
            else:
                a, b = sorted([parsed.area_a, parsed.area_b])
                area_a = AdministrativeArea.objects.get(code=a, valid_to__isnull=True)
                area_b = AdministrativeArea.objects.get(code=b, valid_to__isnull=True)
                existing_lines[parsed.code] = BoundaryLine.objects.create(
                    code=parsed.code,
                    name=parsed.name or f"{area_a.name}—{area_b.name}线",
                    area_a=area_a,
                    area_b=area_b,
                    level=area_a.level,
                    agreement_ref=parsed.agreement_ref,
                    **values,
                )
        t = transformer_between(survey.crs, CGCS2000_LONLAT) if in_cgcs else None
        for m in survey.markers:
            marker = existing_markers.get(m.number) or BoundaryMarker(number=m.number)
            marker.line = existing_lines[m.line_code]
            marker.sequence = m.sequence
            marker.type_code = m.type_code
            marker.kind = MARKER_KIND_OF_TYPE[m.type_code]
            marker.material = m.material or marker.material
            marker.description = m.description or marker.description
            marker.original_x, marker.original_y, marker.original_h = m.x, m.y, m.h
            marker.original_crs = survey.crs.code
            marker.converted_with = None
            marker.converted_at = None
            if t is not None:
                lon, lat = t.transform(m.x, m.y)
                marker.geom_4490 = GEOSGeometry(f"POINT({lon!r} {lat!r})", srid=4490)
                if not survey.crs.is_geographic:
                    marker.cgcs_x_m, marker.cgcs_y_m, marker.cgcs_crs = m.x, m.y, survey.crs.code
            else:
                marker.geom_4490 = None
                marker.cgcs_x_m = marker.cgcs_y_m = None
                marker.cgcs_crs = ""
            marker.save()
    return report
