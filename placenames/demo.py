"""Demo steps of the place-name archive: GeoNames reference points and the archive."""

from __future__ import annotations

from pathlib import Path

from boundaries.demo import area_files
from gis_portal.datasets import HEGANG_DATA_DIR
from gis_portal.demo import DemoStep, demo_steps_register
from placenames import demo_archive as placename_demo_archive
from placenames import demo_culture
from placenames.services.names import geonames_load, placenames_load_demo

demo_steps_register(
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
        version="1",  # 5,611 entries in all
        files=lambda: [
            *area_files(),
            Path(placename_demo_archive.__file__),
            Path(placename_demo_archive.__file__).with_name("data") / "categories.csv",
        ],
        load=placenames_load_demo,
        after=("areas",),  # the archive names every area
    ),
    DemoStep(
        name="culture",
        version="1",
        files=lambda: [Path(demo_culture.__file__)],
        load=demo_culture.culture_load_demo,
        after=("placenames",),  # signs, stories and media of the archive's places
    ),
)
