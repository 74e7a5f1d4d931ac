"""Demo step of the facilities app: facilities and demand units of every programme."""

from __future__ import annotations

from pathlib import Path

from boundaries.demo import area_files
from facilities import demogen as facilities_demogen
from facilities.services import demo as facilities_demo
from facilities.services import indicator_demo
from gis_portal.demo import DemoStep, demo_steps_register
from placenames.addresses import demo_network

demo_steps_register(
    DemoStep(
        name="facilities",
        version="2",
        files=lambda: [
            *area_files(),
            Path(demo_network.__file__),
            Path(facilities_demogen.__file__),
            Path(facilities_demo.__file__),
        ],
        load=facilities_demo.facilities_demo_load,
        # Demand on the door plates where they exist, county seats from GeoNames, rural
        # settlements (农村居民点) from the archive.
        after=("areas", "addresses", "geonames", "placenames"),
    ),
)

demo_steps_register(
    DemoStep(
        name="indicators",
        version="1",
        files=lambda: [
            *area_files(),
            Path(facilities_demogen.__file__),
            Path(indicator_demo.__file__),
        ],
        load=indicator_demo.indicators_demo_load,
        # Yearly figures per county, generated: marked as demo data on the page.
        after=("areas",),
    ),
)
