"""The Hegang demo data, as an ordered list of steps that `load_hegang_demo` runs.

Each step names the bundled files it reads and a version; a step whose files and version
are unchanged since its last successful load is skipped, so a second `make run` is quick.
A step runs in one transaction with its bookkeeping row: it is either fully loaded or not.
Generated (non-public) records are marked ``is_demo`` by the step that makes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pghistory
from django.db import transaction

from boundaries.demo_loader import (
    boundary_demo_files,
    boundary_demo_load,
    boundary_versions_load,
)
from boundaries.services import areas_load_hegang
from facilities import demogen as facilities_demogen
from facilities.services import demo as facilities_demo
from gis_portal.accounts import demo_accounts_create
from gis_portal.datasets import HEGANG_DATA_DIR, files_checksum
from gis_portal.models import DatasetLoad
from placenames import demo_archive as placename_demo_archive
from placenames.addresses import demo_network
from placenames.addresses.demo_loader import demo_addresses_load
from placenames.services import geonames_load, placenames_load_demo


@dataclass(frozen=True)
class DemoStep:
    name: str
    version: str
    files: Callable[[], list[Path]]
    load: Callable[[], dict]


def _area_files() -> list[Path]:
    d = HEGANG_DATA_DIR
    return [
        d / "mca20251231_divisions.csv",
        d / "nbs2023_townships.csv",
        d / "nbs2023_villages.csv",
        d / "census2020_county.csv",
        *sorted((d / "amap_gcj02").glob("*.geojson")),
    ]


DEMO_STEPS: list[DemoStep] = [
    DemoStep(
        name="areas",
        version="1",
        files=_area_files,
        load=lambda: areas_load_hegang(data_dir=HEGANG_DATA_DIR).as_dict(),
    ),
    DemoStep(
        name="accounts",
        version="2",  # after "areas": edit scopes name districts; 2: demo accounts marked
        files=lambda: [
            Path(__file__).with_name("roles.py"),
            Path(__file__).with_name("accounts.py"),
            Path(__file__).with_name("demo_accounts.py"),
        ],
        load=demo_accounts_create,
    ),
    DemoStep(
        name="geonames",
        version="1",
        files=lambda: [HEGANG_DATA_DIR / "geonames_cities1000_bbox.tsv"],
        load=lambda: {
            "points": geonames_load(path=HEGANG_DATA_DIR / "geonames_cities1000_bbox.tsv")
        },
    ),
    DemoStep(
        name="placenames",
        version="1",  # after "areas": the archive names every area; 5,611 entries in all
        files=lambda: [
            *_area_files(),
            Path(placename_demo_archive.__file__),
            Path(placename_demo_archive.__file__).with_name("data") / "categories.csv",
        ],
        load=placenames_load_demo,
    ),
    DemoStep(
        name="addresses",
        version="1",  # after "areas": streets are drawn inside the urban district polygons
        files=lambda: [*_area_files(), Path(demo_network.__file__)],
        load=demo_addresses_load,
    ),
    DemoStep(
        name="boundary_versions",
        version="1",  # after "areas": the Amap version copies the current county polygons
        files=lambda: [*_area_files(), HEGANG_DATA_DIR / "echarts2017_gcj02.geojson"],
        load=lambda: boundary_versions_load(
            echarts_path=HEGANG_DATA_DIR / "echarts2017_gcj02.geojson"
        ),
    ),
    DemoStep(
        name="boundary_lines",
        version="1",  # lines, markers, "Beijing 1954" copy, common points, fit, conversion
        files=lambda: [*_area_files(), *boundary_demo_files()],
        load=boundary_demo_load,
    ),
    DemoStep(
        name="facilities",
        # After "addresses" (demand on the door plates where they exist), "geonames" (county
        # seats) and "placenames" (rural settlements, 农村居民点).
        version="2",
        files=lambda: [
            *_area_files(),
            Path(demo_network.__file__),
            Path(facilities_demogen.__file__),
            Path(facilities_demo.__file__),
        ],
        load=facilities_demo.facilities_demo_load,
    ),
]


@dataclass
class StepResult:
    name: str
    skipped: bool
    summary: dict


def demo_load(*, force: bool = False, only: list[str] | None = None) -> list[StepResult]:
    """Run the demo steps in order; skip those already loaded from the same files."""
    results = []
    for step in DEMO_STEPS:
        if only and step.name not in only:
            continue
        checksum = files_checksum(step.files(), salt=step.version)
        done = DatasetLoad.objects.filter(name=f"demo:{step.name}", checksum=checksum).first()
        if done and not force:
            results.append(StepResult(step.name, True, done.summary))
            continue
        # A history context for the whole step: the demo's rows are attributed to it, and
        # pghistory's triggers do not fall back to a per-row subtransaction (whose rollback
        # rescans the step's growing deferred-FK queue; see placenames_bulk_upsert).
        with transaction.atomic(), pghistory.context(source="load_hegang_demo", step=step.name):
            summary = step.load()
            DatasetLoad.objects.update_or_create(
                name=f"demo:{step.name}", defaults={"checksum": checksum, "summary": summary}
            )
        results.append(StepResult(step.name, False, summary))
    return results
