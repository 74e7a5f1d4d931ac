"""Address search (geocode) and reverse lookup: reads over streets and door plates.

``geocode`` reads a query (or its fields) into every way it can be read, matches the
streets, and answers with a door plate, an interpolated number, a street, a name of the
archive or an area, best first; ``reverse`` gives the nearest plate's full address.
"""

from placenames.addresses.lookup.geocode import geocode
from placenames.addresses.lookup.index import street_index
from placenames.addresses.lookup.results import GeocodeResult, StructuredQuery
from placenames.addresses.lookup.reverse import ReverseResult, reverse, reverse_as_result

__all__ = [
    "GeocodeResult",
    "ReverseResult",
    "StructuredQuery",
    "geocode",
    "reverse",
    "reverse_as_result",
    "street_index",
]
