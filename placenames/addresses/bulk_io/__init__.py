"""Bulk import and export of door plates, streets and signs (the kernel's specs).

Discovered at start-up by ``gis_portal.importing.spec.autodiscover``.
"""

from gis_portal.importing.spec import register
from placenames.addresses.bulk_io.plates import PlateSpec
from placenames.addresses.bulk_io.signs import SignSpec
from placenames.addresses.bulk_io.streets import StreetSpec

PLATES = register(PlateSpec())
STREETS = register(StreetSpec())
SIGNS = register(SignSpec())
ADDRESS_LAYERS = {"plates": PLATES, "streets": STREETS, "signs": SIGNS}
