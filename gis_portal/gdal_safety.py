"""How uploaded GIS files may reach GDAL: two drivers, no VRT, no network (no Django).

GDAL chooses a driver from a file's *content*, not its name, so a ``.shp`` that is really
an OGR VRT (XML naming ``/etc/passwd``, ``settings/dev.py`` or ``/vsicurl/http://…``)
used to be opened by the VRT driver and the referenced file's lines came back as
attributes in the import report. pyogrio 0.13 opens with ``GDALOpenEx(path, …, NULL)``:
it has no parameter restricting the drivers. So the restriction is made process-wide,
once at start-up (``lock_down_gdal``, from ``GisPortalConfig.ready``):

* every vector driver of pyogrio's GDAL except ESRI Shapefile and GPKG is deregistered
  (``GDAL_SKIP`` is only read by ``GDALAllRegister``, so registration is run again);
  nothing in the project reads or writes any other vector format;
* ``/vsicurl/`` and the other network file systems built on it (s3, gs, az, …) refuse
  every URL (``CPL_VSIL_CURL_ALLOWED_FILENAME`` names the only one allowed, which does
  not exist), ``/vsistdin/`` is off, and SQL functions from views/triggers of a GeoPackage
  are not run;
* the same network options go into the environment, which both GDAL builds in the process
  read (pyogrio bundles GDAL 3.12; Django's GeoDjango loads Debian's GDAL 3.6, which
  honours the same options); ``GDAL_SKIP=VRT OGR_VRT`` there too.

Each read (``vector_info``, ``vector_frame``) then names the one driver its extension
declares: the file must carry that format's signature before GDAL sees it (the two
remaining drivers' signatures exclude each other, so GDAL cannot pick the other one) and
GDAL must report that driver. A failure is ``VectorFileRefused`` with a Chinese message
naming the expected format; GDAL's own error text is never passed on, as it can quote
the file it was sent to.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import pyogrio
import pyogrio.errors
from pyogrio._ogr import _register_drivers  # GDALAllRegister: the only step reading GDAL_SKIP

SHAPEFILE = "ESRI Shapefile"
GEOPACKAGE = "GPKG"
READ_DRIVERS = frozenset({SHAPEFILE, GEOPACKAGE})

# A name no request can have: every other /vsicurl/… (and /vsis3/ …) path is refused
# before any connection is made.
_NO_URL = "/vsicurl/http://network-access-disabled.invalid/"
NETWORK_OFF = {
    "CPL_VSIL_CURL_ALLOWED_FILENAME": _NO_URL,
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".network-access-disabled",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_TIMEOUT": "1",
    "CPL_ALLOW_VSISTDIN": "NO",
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "GDAL_ALLOW_REMOTE_RESOURCE_TO_ACCESS_LOCAL_FILE": "NO",
}
# For Django's GDAL, which never opens uploads; space-separated for GDAL 3.6.
ENVIRONMENT_SKIP = "VRT OGR_VRT"

LABELS = {SHAPEFILE: "Shapefile", GEOPACKAGE: "GeoPackage"}
_SHP_MAGIC = (9994).to_bytes(4, "big")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APPLICATION_IDS = (b"GPKG", b"GP10", b"GP11")  # offset 68 of the SQLite header


class VectorFileRefused(ValueError):
    """An uploaded file is not the GIS format its name declares, or GDAL cannot read it."""


class GdalNotLockedDown(RuntimeError):
    """Drivers beyond ``READ_DRIVERS`` are still registered: refuse to start."""


def lock_down_gdal() -> None:
    """Restrict GDAL process-wide as the module docstring says; safe to call again."""
    # Registration re-adds every driver not in GDAL_SKIP, so the list only ever grows: it
    # keeps what is already skipped (by an earlier call, or by the environment a parent
    # process passed on) and names both VRT drivers (the raster one is not listed).
    skip = _skip_list(pyogrio.get_gdal_config_option("GDAL_SKIP") or "")
    skip |= set(pyogrio.list_drivers()) - READ_DRIVERS
    skip |= {"VRT", "OGR_VRT"}
    os.environ.update(NETWORK_OFF)
    os.environ["GDAL_SKIP"] = ENVIRONMENT_SKIP
    # Comma-separated: some driver names ("MapInfo File") contain spaces.
    pyogrio.set_gdal_config_options({**NETWORK_OFF, "GDAL_SKIP": ",".join(sorted(skip))})
    with warnings.catch_warnings():
        # "Unable to find driver … to unload": those are already gone.
        warnings.simplefilter("ignore", RuntimeWarning)
        _register_drivers()
    left = set(pyogrio.list_drivers()) - READ_DRIVERS
    if left:
        raise GdalNotLockedDown(f"GDAL drivers still registered: {sorted(left)}")


def _skip_list(value: str) -> set[str]:
    """Return the driver names of a GDAL_SKIP value, split as GDAL does (by commas if
    there is one, else by spaces)."""
    return {name.strip() for name in value.split("," if "," in value else None) if name.strip()}


def _signature_ok(path: Path, driver: str) -> bool:
    with path.open("rb") as f:
        head = f.read(100)
    if driver == SHAPEFILE:
        return head[:4] == _SHP_MAGIC
    return head[:16] == _SQLITE_MAGIC and head[68:72] in _GPKG_APPLICATION_IDS


def _refused(driver: str) -> VectorFileRefused:
    return VectorFileRefused(f"文件内容不是有效的 {LABELS[driver]}")


# pyogrio's own errors, plus what a bad encoding or a broken file raises under it.
_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    UnicodeError,
    LookupError,
    ValueError,
    OSError,
)


def _check_signature(path: Path, driver: str) -> None:
    if driver not in READ_DRIVERS:
        raise ValueError(f"not a read driver: {driver}")
    try:
        ok = _signature_ok(path, driver)
    except OSError:
        ok = False
    if not ok:
        raise _refused(driver)


def vector_info(path: Path, *, driver: str, encoding: str | None = None) -> dict[str, Any]:
    """Return pyogrio's layer info of ``path``, opened only as ``driver``."""
    _check_signature(path, driver)
    try:
        info = pyogrio.read_info(path, encoding=encoding)
    except _READ_ERRORS:
        raise _refused(driver) from None
    if info.get("driver") != driver:
        raise _refused(driver)
    return info


def vector_frame(path: Path, *, driver: str, encoding: str | None = None, **options: Any):
    """Return a GeoDataFrame of ``path`` (``pyogrio.read_dataframe`` options), opened only
    as ``driver``; the signature is checked on every call (files are read in chunks)."""
    _check_signature(path, driver)
    try:
        return pyogrio.read_dataframe(path, encoding=encoding, **options)
    except _READ_ERRORS:
        raise _refused(driver) from None
