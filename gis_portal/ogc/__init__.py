"""OGC API – Features (Part 1 Core, Part 2 CRS by reference, Part 3 Filtering) at /ogc/.

Every collection is a layer of the catalogue (gis_portal.catalogue): nothing here names a
domain app or a table. See docs/decisions/0007-ogc-api-on-the-catalogue.md.

- ``crs``: the served CRSs as data (URIs, axis order, areas of use).
- ``cql``: CQL2 text/JSON (parsed by cql2) to parameterised SQL over the queryables.
- ``query``: the items parameters, declared once, parsed into an ``ItemsQuery``.
- ``selectors``: the page and item statements (under a statement timeout), usage records.
- ``documents``: landing, conformance, collections, queryables, feature collections.
- ``views`` / ``urls``: the thin views, JSON or HTML by ``f`` and Accept.
"""
