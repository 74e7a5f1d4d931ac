"""Demo steps of the boundaries app: areas, boundary versions, boundary lines and markers."""

from __future__ import annotations

from pathlib import Path

from boundaries.demo_loader import (
    boundary_demo_files,
    boundary_demo_load,
    boundary_versions_load,
)
from boundaries.services.areas import areas_load_hegang
from boundaries.township_demo import neighbour_files, neighbour_lines_load, township_demo_load
from gis_portal.datasets import HEGANG_DATA_DIR
from gis_portal.demo import DemoStep, demo_steps_register


def area_files() -> list[Path]:
    """Return the bundled files the areas are loaded from (steps built on them list them too)."""
    d = HEGANG_DATA_DIR
    return [
        d / "mca20251231_divisions.csv",
        d / "nbs2023_townships.csv",
        d / "nbs2023_villages.csv",
        d / "census2020_county.csv",
        *sorted((d / "amap_gcj02").glob("*.geojson")),
    ]


def _township_modules() -> list[Path]:
    here = Path(__file__).resolve().parent
    return [here / n for n in ("township_demo.py", "townships.py", "lines.py")]


demo_steps_register(
    DemoStep(
        name="areas",
        version="1",
        files=area_files,
        load=lambda: areas_load_hegang(data_dir=HEGANG_DATA_DIR).as_dict(),
    ),
    DemoStep(
        name="boundary_versions",
        version="1",
        files=lambda: [*area_files(), HEGANG_DATA_DIR / "echarts2017_gcj02.geojson"],
        load=lambda: boundary_versions_load(
            echarts_path=HEGANG_DATA_DIR / "echarts2017_gcj02.geojson"
        ),
        after=("areas",),  # the Amap version copies the current county polygons
    ),
    DemoStep(
        name="boundary_lines",
        version="2",  # lines, markers, "Beijing 1954" copy, common points, fit, conversion
        files=lambda: [*area_files(), *boundary_demo_files()],
        load=boundary_demo_load,
        after=("areas",),  # lines run along the shared edges of the county polygons
    ),
    DemoStep(
        name="township_polygons",
        version="1",  # demo polygons of the 72 townships, their lines, markers, inspections
        files=lambda: [*area_files(), *_township_modules()],
        load=township_demo_load,
        after=("areas",),
    ),
    DemoStep(
        name="neighbour_lines",
        version="1",  # the lines with 伊春 and 佳木斯 (not the national border)
        files=lambda: [*area_files(), *neighbour_files(HEGANG_DATA_DIR), *_township_modules()],
        load=lambda: neighbour_lines_load(data_dir=HEGANG_DATA_DIR),
        after=("areas",),
    ),
)
