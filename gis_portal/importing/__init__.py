"""Bulk import and export for every layer: the shared kernel (no domain app imported).

- ``readers``: xlsx, CSV (UTF-8/GBK detected), zipped Shapefile, GeoPackage → raw rows,
  refusing unsafe files; ``crs``: the CRS whitelist and Beijing 1954 conversions.
- ``columns``: Chinese headings → fields (.dbf-truncated headings too), cell parsers.
- ``report``: ``RowError`` (line, column, reason) and ``ImportReport``.
- ``spec``: ``LayerSpec``, what a layer declares, and the registry its app's
  ``bulk_io.py`` fills (discovered at start-up).
- ``pipeline``: ``layer_import`` — parse → validate → COPY to staging → SQL checks →
  write, in one transaction; dry run = the same run rolled back.
- ``staging`` (the COPY writer), ``history`` (events under the file's name),
  ``export`` (streaming CSV / GeoJSON / GeoPackage).
"""
