"""REST API of the facilities app: facilities, coverage, siting, indicators."""
