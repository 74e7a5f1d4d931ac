"""Exports of every catalogue layer (ground floor: no domain app is imported).

- ``formats``: the table of formats, CRSs and encodings, the bbox check against a CRS's
  area of use and the shapefile field-name table (pure: no Django).
- ``dxf``: a streaming DXF R12 writer for surveyors (pure).
- ``query``: the SELECT of an export, built from the layer's declarations (pure strings).
- ``writers``: chunks of rows → CSV / GeoJSON bytes, GeoPackage / shapefile zip / DXF files
  (no Django; the rows come in as an iterator of lists).
- ``services``: ``layer_export`` — an ``ExportOrder`` checked against the layer, read from
  a server-side cursor and written in chunks (flat memory).
- ``api`` / ``urls``: GET /api/v1/layers/<key>/export; ``views``: the 数据下载 page;
  ``manage.py export_layer`` the command.
"""
