"""Demo step of the addresses app: generated streets, signs and door plates."""

from __future__ import annotations

from pathlib import Path

from boundaries.demo import area_files
from gis_portal.demo import DemoStep, demo_steps_register
from placenames.addresses import demo_network
from placenames.addresses.demo_loader import demo_addresses_load

demo_steps_register(
    DemoStep(
        name="addresses",
        version="1",
        files=lambda: [*area_files(), Path(demo_network.__file__)],
        load=demo_addresses_load,
        after=("areas",),  # streets are drawn inside the urban district polygons
    ),
)
