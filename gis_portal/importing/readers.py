"""Read uploaded tables into raw rows, refusing unsafe or broken files (no Django).

Formats: Excel (.xlsx), CSV (UTF-8 or GBK, detected), Shapefile in a .zip (GBK .dbf
unless a .cpg says otherwise; .prj mapped to EPSG against a whitelist), GeoPackage.
Every refusal is a ``FileRefused`` with a Chinese message; no row is read from a file
that fails a file-level check.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from shapely.geometry.base import BaseGeometry

from gis_portal.archives import ArchiveRefused, ZipLimits, zip_extract, zip_open, zip_verify
from gis_portal.gdal_safety import (
    GEOPACKAGE,
    SHAPEFILE,
    VectorFileRefused,
    vector_frame,
    vector_info,
)
from gis_portal.importing.crs import (
    Conversions,
    DatumConversion,
    FileRefused,
    beijing1954_missing,
    crs_to_epsg,
    is_beijing1954,
    to_4490,
)

__all__ = ["FileRefused", "RawRow", "RawTable", "read_rows"]

MAX_ZIP_ENTRIES = 50
MAX_XLSX_PARTS = 1000
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj")
GIS_CHUNK = 5000
# A cell may hold a whole geometry as WKT (an area's outline: ~6,000 vertices, 250 KB);
# the csv module's default limit is 128 KB. The file itself is bounded by its size limit.
MAX_CSV_FIELD_CHARS = 32 * 1024 * 1024
csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_FIELD_CHARS))


@dataclass
class RawRow:
    line: int  # spreadsheet row / CSV line / feature number (1 = first data row + header)
    values: dict[str, Any]
    geometry: BaseGeometry | None = None  # for GIS formats, already in EPSG:4490
    formula_columns: list[str] = field(default_factory=list)
    converted_with: DatumConversion | None = None  # when the file was in Beijing 1954
    # The geometry as the file holds it, in ``source_epsg`` (GIS formats): a layer that
    # keeps surveyed originals (boundary lines and markers) stores it beside the 4490 copy.
    source_geometry: BaseGeometry | None = None
    source_epsg: int | None = None


@dataclass
class RawTable:
    format: str
    rows: Iterator[RawRow]
    crs_note: str = ""


def detect_format(path: Path) -> str:
    """Return xlsx, csv, shapefile-zip or gpkg from the name and the first bytes."""
    with path.open("rb") as f:
        head = f.read(16)
    suffix = path.suffix.lower()
    if head.startswith(b"SQLite format 3"):
        return "gpkg"
    if head.startswith(b"PK"):
        return "xlsx" if suffix == ".xlsx" else "shapefile-zip"
    if suffix in (".xlsx", ".zip", ".gpkg"):
        raise FileRefused(f"文件内容与扩展名 {suffix} 不符（文件可能已损坏或被截断）")
    if suffix in (".csv", ".txt"):
        return "csv"
    raise FileRefused(
        f"不支持的文件类型 {suffix or '（无扩展名）'}：请上传 xlsx、csv、shp 压缩包或 gpkg"
    )


def check_size(path: Path, *, max_bytes: int) -> None:
    size = path.stat().st_size
    if size == 0:
        raise FileRefused("文件为空")
    if size > max_bytes:
        raise FileRefused(f"文件大小 {size / 1e6:.1f} MB 超过上限 {max_bytes / 1e6:.1f} MB")


SHAPEFILE_ZIP_LIMITS = ZipLimits(
    max_members=MAX_ZIP_ENTRIES,
    max_total_bytes=MAX_UNCOMPRESSED_BYTES,
    max_ratio=MAX_COMPRESSION_RATIO,
)
XLSX_LIMITS = ZipLimits(
    max_members=MAX_XLSX_PARTS,
    max_total_bytes=MAX_UNCOMPRESSED_BYTES,
    max_ratio=MAX_COMPRESSION_RATIO,
)


def check_zip(path: Path, *, limits: ZipLimits = SHAPEFILE_ZIP_LIMITS) -> zipfile.ZipFile:
    """Open a zip after checking its directory: names (no ../, no absolute), count, method
    and declared sizes (gis_portal.archives)."""
    try:
        return zip_open(path, limits=limits)
    except ArchiveRefused as exc:
        raise FileRefused(str(exc)) from None


def check_xlsx(path: Path) -> None:
    """Refuse a workbook whose parts inflate beyond their declared sizes or the limit:
    openpyxl unzips it trusting the declared sizes."""
    with check_zip(path, limits=XLSX_LIMITS) as archive:
        try:
            zip_verify(archive, limits=XLSX_LIMITS)
        except ArchiveRefused as exc:
            raise FileRefused(str(exc)) from None


def _cell(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """Open a checked workbook read-only, formulas as text (never evaluated)."""
    check_xlsx(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise FileRefused(f"无法读取 Excel 文件（已损坏或被截断）：{type(exc).__name__}") from None
    try:
        yield book
    except (zipfile.BadZipFile, KeyError, EOFError, OSError) as exc:
        raise FileRefused(f"Excel 文件已损坏或被截断：{type(exc).__name__}") from None
    finally:
        book.close()


def _sheet_rows(sheet, *, empty_ok: bool = False) -> Iterator[RawRow]:
    rows = sheet.iter_rows()
    try:
        header_cells = next(rows)
    except StopIteration:
        if empty_ok:
            return
        raise FileRefused("Excel 工作表为空") from None
    header = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
    for number, cells in enumerate(rows, start=2):
        values, formulas = {}, []
        for name, cell in zip(header, cells, strict=False):
            if not name:
                continue
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and cell.value.startswith("=")
            ):
                formulas.append(name)
            values[name] = _cell(cell.value)
        if any(v not in (None, "") for v in values.values()):
            yield RawRow(line=number, values=values, formula_columns=formulas)


def read_xlsx(path: Path) -> Iterator[RawRow]:
    """Yield the rows of the first sheet; formula cells are reported, never evaluated."""
    with _workbook(path) as book:
        yield from _sheet_rows(book.worksheets[0])


def detect_text_encoding(path: Path) -> str:
    """Return utf-8-sig or gb18030 (a superset of GBK) — whichever decodes the whole file."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRefused("无法识别文件编码：CSV 应为 UTF-8 或 GBK 编码")


def read_csv(path: Path) -> Iterator[RawRow]:
    """Yield the rows of a CSV file whose encoding (UTF-8 or GBK) is detected first."""
    encoding = detect_text_encoding(path)
    with path.open(encoding=encoding, newline="") as f:
        sample = f.read(4096)
        f.seek(0)
        if "\x00" in sample:
            raise FileRefused("CSV 文件含有二进制内容")
        reader = csv.reader(f)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise FileRefused("CSV 文件没有表头") from None
        except csv.Error as exc:
            raise FileRefused(f"CSV 格式错误：{exc}") from None
        named = [(i, h) for i, h in enumerate(header) if h]
        try:
            for cols in reader:
                # CSV cells are always text: strip once, skip rows with nothing in them.
                cells = [c.strip() for c in cols]
                if not any(cells):
                    continue
                width = len(cells)
                values = {h: cells[i] for i, h in named if i < width}
                yield RawRow(line=reader.line_num, values=values)
        except csv.Error as exc:
            raise FileRefused(f"CSV 第 {reader.line_num} 行格式错误：{exc}") from None


def _frames(path: Path, *, driver: str, encoding: str | None, features: int):
    """Yield the layer in frames of GIS_CHUNK features (memory flat on large files).

    ``features`` is the layer's count, or -1 when the driver does not know it cheaply.
    """
    start = 0
    while features < 0 or start < features:
        try:
            frame = vector_frame(
                path,
                driver=driver,
                encoding=encoding,
                on_invalid="ignore",
                skip_features=start,
                max_features=GIS_CHUNK,
            )
        except VectorFileRefused as exc:
            raise FileRefused(str(exc)) from None
        yield frame
        if len(frame) < GIS_CHUNK:
            return
        start += GIS_CHUNK


def _read_gis(
    path: Path, *, driver: str, encoding: str | None, what: str, conversions: Conversions
) -> Iterator[RawRow]:
    """Yield the features of ``path``, which GDAL opens only with ``driver``: no other
    format, however the content looks (gis_portal.gdal_safety); GDAL's error text, which
    can quote a file, is never shown."""
    try:
        info = vector_info(path, driver=driver, encoding=encoding)
    except VectorFileRefused as exc:
        raise FileRefused(str(exc)) from None
    epsg = crs_to_epsg(info.get("crs"), what=what, beijing1954_ok=True)
    conversion = None
    if is_beijing1954(epsg):
        conversion = conversions.get(epsg)
        if conversion is None:
            raise FileRefused(what + beijing1954_missing(epsg))
    frames = _frames(path, driver=driver, encoding=encoding, features=int(info.get("features", 0)))
    rows = (row for frame in frames for _, row in frame.iterrows())
    for number, row in enumerate(rows, start=1):
        geom = row.geometry
        values = {
            str(k).strip(): _cell(None if _is_missing(v) else v)
            for k, v in row.items()
            if k != "geometry"
        }
        source = geom
        if geom is not None:
            geom = conversion.apply(geom) if conversion else to_4490(geom, epsg)
        yield RawRow(
            line=number,
            values=values,
            geometry=geom,
            converted_with=conversion,
            source_geometry=source,
            source_epsg=epsg,
        )


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def read_shapefile_zip(path: Path, *, conversions: Conversions) -> Iterator[RawRow]:
    """Yield the features of the one shapefile inside a zip (GBK .dbf unless a .cpg says)."""
    archive = check_zip(path)
    with archive, tempfile.TemporaryDirectory(prefix="import-shp-") as tmp:
        names = [i.filename for i in archive.infolist() if not i.is_dir()]
        shps = [n for n in names if n.lower().endswith(".shp")]
        if len(shps) != 1:
            raise FileRefused(f"压缩包中应恰好有一个 .shp 文件，实际 {len(shps)} 个")
        stem = shps[0][:-4]
        by_ext = {n[len(stem) :].lower(): n for n in names if n.startswith(stem)}
        missing = [ext for ext in SHAPEFILE_PARTS if ext not in by_ext]
        if missing:
            raise FileRefused(f"Shapefile 缺少 {'、'.join(missing)} 文件")
        # Extract under fixed names: the archive's own names never touch the disk. Inflated
        # bytes are counted as they are written (a member may lie about its size).
        parts = {ext: Path(tmp) / f"data{ext}" for ext in (*SHAPEFILE_PARTS, ".cpg")}
        targets = {archive.getinfo(by_ext[ext]): parts[ext] for ext in parts if ext in by_ext}
        try:
            zip_extract(archive, targets, limits=SHAPEFILE_ZIP_LIMITS)
        except ArchiveRefused as exc:
            raise FileRefused(str(exc)) from None
        encoding = "GBK"
        if ".cpg" in by_ext:
            declared = parts[".cpg"].read_bytes()[:64].decode("ascii", "replace").strip()
            encoding = {"936": "GBK", "65001": "UTF-8"}.get(declared, declared) or "GBK"
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise FileRefused(f".cpg 声明了未知编码 {declared!r}") from None
        _check_dbf_encoding(Path(tmp) / "data.dbf", encoding)
        yield from _read_gis(
            parts[".shp"],
            driver=SHAPEFILE,
            encoding=encoding,
            what="Shapefile ",
            conversions=conversions,
        )


# dBASE III/IV/5 and FoxPro version bytes: what GDAL writes and reads.
_DBF_VERSIONS = frozenset(
    {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xF5, 0xFB}
)


def _check_dbf_encoding(dbf: Path, encoding: str) -> None:
    """Refuse a .dbf whose records do not decode in ``encoding`` (GDAL would garble them),
    and trim field names that the 10-byte limit cut inside a character."""
    data = bytearray(dbf.read_bytes())
    if len(data) < 32:
        raise FileRefused("Shapefile 的 .dbf 文件已损坏")
    header_len = int.from_bytes(data[8:10], "little")
    if data[0] not in _DBF_VERSIONS or not 33 <= header_len <= len(data):
        raise FileRefused("Shapefile 的 .dbf 文件已损坏")
    try:
        bytes(data[header_len:]).decode(encoding)
    except UnicodeDecodeError:
        raise FileRefused(
            f"Shapefile 属性表不是 {encoding} 编码：请附带正确的 .cpg 文件（如 UTF-8 或 GBK）"
        ) from None
    for start in range(32, header_len - 1, 32):
        if data[start] == 0x0D:  # end of the field descriptors
            break
        raw_name = bytes(data[start : start + 11]).split(b"\x00")[0]
        name = raw_name.decode(encoding, errors="ignore").encode(encoding)
        data[start : start + 11] = name.ljust(11, b"\x00")
    dbf.write_bytes(bytes(data))


def read_gpkg(path: Path, *, conversions: Conversions) -> Iterator[RawRow]:
    """Yield the features of the first layer of a GeoPackage."""
    return _read_gis(
        path, driver=GEOPACKAGE, encoding=None, what="GeoPackage ", conversions=conversions
    )


# ---- small tables read as text (the plan's indicators, standards, demand, cost matrices) ----


def cell_text(value: Any) -> str:
    """Return a cell as the text an importer parses: a formula as its ``=…`` text (never its
    cached result), a date as ISO 8601 (a date-time as its date), nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, ArrayFormula | DataTableFormula):
        text = getattr(value, "text", None) or ""
        return text if text.startswith("=") else "=" + text
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _table_suffix(path: Path, suffixes: tuple[str, ...] = (".csv", ".xlsx")) -> str:
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise FileRefused(f"不支持的文件类型 {suffix}（应为 {' 或 '.join(suffixes)}）")
    return suffix


def read_text_lines(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Return (line in the file, row of text keyed by header) pairs of a .csv or .xlsx table.

    The same reading as every import (CSV in UTF-8 or GBK, workbooks checked before
    openpyxl opens them, blank rows skipped but counted), each cell as ``cell_text``.
    """
    path = Path(path)
    rows = read_csv(path) if _table_suffix(path) == ".csv" else read_xlsx(path)
    return [(row.line, {name: cell_text(v) for name, v in row.values.items()}) for row in rows]


def read_text_grid(path: Path) -> list[list[str]]:
    """Return the cells of a .csv or .xlsx table as rows of text, the header row first.

    For tables whose header matters cell by cell (a cost matrix's site ids): nothing is
    keyed by header, so a repeated header cell is still there to be refused.
    """
    path = Path(path)
    if _table_suffix(path) == ".csv":
        with path.open(encoding=detect_text_encoding(path), newline="") as f:
            try:
                return [[c.strip() for c in r] for r in csv.reader(f) if any(c.strip() for c in r)]
            except csv.Error as exc:
                raise FileRefused(f"CSV 格式错误：{exc}") from None
    with _workbook(path) as book:
        return [
            [cell_text(v) for v in r]
            for r in book.worksheets[0].iter_rows(values_only=True)
            if any(v not in (None, "") for v in r)
        ]


def read_xlsx_sheets(path: Path) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """Return every sheet of a workbook as ``read_text_lines`` reads the first, by title
    (an empty sheet: no rows)."""
    path = Path(path)
    _table_suffix(path, (".xlsx",))
    out: dict[str, list[tuple[int, dict[str, str]]]] = {}
    with _workbook(path) as book:
        for sheet in book.worksheets:
            out[sheet.title] = [
                (row.line, {name: cell_text(v) for name, v in row.values.items()})
                for row in _sheet_rows(sheet, empty_ok=True)
            ]
    return out


def read_cell_grid(path: Path, *, max_rows: int) -> list[list[Any]]:
    """Return every row of a checked .xlsx's first sheet (cells as stored, formulas as text)
    or of a CSV (text cells), blank rows kept: for forms whose cells are found by position
    (the census registration form). More than ``max_rows`` rows is refused, not cut."""
    is_csv = detect_format(path) == "csv"
    too_long = FileRefused(f"{'文件' if is_csv else '工作表'}超过 {max_rows} 行，请分批导入")
    rows: list[list[Any]] = []
    if is_csv:
        with path.open(encoding=detect_text_encoding(path), newline="") as f:
            if "\x00" in f.read(4096):
                raise FileRefused("CSV 文件含有二进制内容")
            f.seek(0)
            try:
                for row in csv.reader(f):
                    rows.append(row)
                    if len(rows) > max_rows:
                        raise too_long
            except csv.Error as exc:
                raise FileRefused(f"CSV 格式错误：{exc}") from None
        return rows
    with _workbook(path) as book:
        for cells in book.worksheets[0].iter_rows(values_only=True):
            rows.append(list(cells))
            if len(rows) > max_rows:
                raise too_long
    return rows


READERS = {"xlsx": read_xlsx, "csv": read_csv}
GIS_READERS = {"shapefile-zip": read_shapefile_zip, "gpkg": read_gpkg}


def read_rows(
    path: Path, *, max_bytes: int, conversions: Conversions | None = None
) -> tuple[str, Iterator[RawRow]]:
    """Return the format and a row iterator of a file, after the file-level checks.

    ``conversions`` (source EPSG → approved Beijing 1954 set) lets a GIS file declared in
    Beijing 1954 through; without one for its system the file is refused.
    """
    check_size(path, max_bytes=max_bytes)
    fmt = detect_format(path)
    if fmt in GIS_READERS:
        return fmt, GIS_READERS[fmt](path, conversions=conversions or {})
    return fmt, READERS[fmt](path)
