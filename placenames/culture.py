"""The archive's culture, pure parts (no Django): the register's rule, media sniffing and
the census form's layout.

Media types are read from the content (magic bytes, then Pillow for images), never from
the file name; the name only says what the uploader *claims*, and a claim the content does
not bear out is refused. Images are opened lazily and their dimensions checked before any
pixel is decoded (a 100,000 × 100,000 PNG is a few KB on disk and 30 GB in memory), with
Pillow's own DecompressionBombWarning turned into a refusal as a second guard.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

CENTURY_YEARS = 100
# Enough for a 60-megapixel camera or a 600 dpi A3 scan; far below what fills memory.
MAX_IMAGE_PIXELS = 64_000_000
THUMBNAIL_PX = (320, 320)
MAX_CULTURE_TEXT = 4000


class CultureInputError(ValueError):
    """Bad culture input (a refused file, a register entry without grounds); Chinese message."""


# ---- the register of names to protect ----------------------------------------------------


def protection_problem(
    *, reason_kind: str, reason: str, in_use_since_year: int | None, listed_year: int | None
) -> str | None:
    """Return why a register entry cannot stand, or None.

    A name listed as "in use for a century" must say since when, and that year must lie at
    least a hundred years before it was listed.
    """
    if not (reason or "").strip():
        return "请填写保护理由"
    if reason_kind == "century":
        if in_use_since_year is None:
            return "“使用百年以上”须填写始用年份"
        if listed_year is not None and listed_year - in_use_since_year < CENTURY_YEARS:
            return (
                f"始用年份 {in_use_since_year} 年至列入时（{listed_year} 年）不足 {CENTURY_YEARS} 年，"
                "不能按“使用百年以上”列入"
            )
    if (
        in_use_since_year is not None
        and listed_year is not None
        and in_use_since_year > listed_year
    ):
        return f"始用年份 {in_use_since_year} 年晚于列入时间"
    return None


# ---- media: what the content is -----------------------------------------------------------


@dataclass(frozen=True)
class MediaType:
    key: str  # jpeg, png …
    content_type: str
    label: str
    family: str  # image, audio, document
    suffixes: tuple[str, ...]


MEDIA_TYPES: dict[str, MediaType] = {
    t.key: t
    for t in (
        MediaType("jpeg", "image/jpeg", "JPEG 图片", "image", (".jpg", ".jpeg")),
        MediaType("png", "image/png", "PNG 图片", "image", (".png",)),
        MediaType("webp", "image/webp", "WebP 图片", "image", (".webp",)),
        MediaType("tiff", "image/tiff", "TIFF 图片", "image", (".tif", ".tiff")),
        MediaType("pdf", "application/pdf", "PDF 文档", "document", (".pdf",)),
        MediaType("mp3", "audio/mpeg", "MP3 音频", "audio", (".mp3",)),
        MediaType("wav", "audio/wav", "WAV 音频", "audio", (".wav",)),
        MediaType("ogg", "audio/ogg", "Ogg 音频", "audio", (".ogg", ".oga")),
        MediaType("flac", "audio/flac", "FLAC 音频", "audio", (".flac",)),
        MediaType("m4a", "audio/mp4", "M4A 音频", "audio", (".m4a",)),
    )
}
# Which types each kind of media may be.
KIND_TYPES: dict[str, tuple[str, ...]] = {
    "photo": ("jpeg", "png", "webp"),
    "scan": ("jpeg", "png", "tiff", "pdf"),
    "pronunciation": ("mp3", "wav", "ogg", "flac", "m4a"),
}
KIND_LABELS = {"photo": "照片", "scan": "扫描档案", "pronunciation": "读音录音"}


def _is_mp3(head: bytes) -> bool:
    if head.startswith(b"ID3") and len(head) >= 10:
        return True
    # An MPEG audio frame header: 11 sync bits, a layer that is not "reserved" (00).
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and bool(head[1] & 0x06)


def sniff(head: bytes) -> str | None:
    """Return the MEDIA_TYPES key the first bytes of a file show, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head[4:8] == b"ftyp" and head[8:11] in (b"M4A", b"mp4", b"iso", b"M4B"):
        return "m4a"
    if _is_mp3(head):
        return "mp3"
    return None


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def claimed_type(name: str) -> MediaType | None:
    """Return the type the file name claims (its extension), or None."""
    suffix = _suffix(name)
    return next((t for t in MEDIA_TYPES.values() if suffix in t.suffixes), None)


@dataclass(frozen=True)
class CheckedMedia:
    type: MediaType
    size_bytes: int
    width_px: int | None = None
    height_px: int | None = None
    thumbnail: bytes | None = None  # JPEG or PNG bytes, for images
    thumbnail_suffix: str = ""


def _image_checked(data: bytes, media_type: MediaType) -> CheckedMedia:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise CultureInputError(
                        f"图片尺寸 {width}×{height} 像素超过上限 {MAX_IMAGE_PIXELS // 1_000_000} 百万像素"
                        "（疑似“图片炸弹”），未保存"
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", THUMBNAIL_PX)  # JPEG: decode at a reduced scale
                image.thumbnail(THUMBNAIL_PX)
                thumb = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
                out = io.BytesIO()
                if thumb.mode == "RGBA":
                    thumb.save(out, "PNG", optimize=True)
                    suffix = ".png"
                else:
                    thumb.save(out, "JPEG", quality=82)
                    suffix = ".jpg"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise CultureInputError("图片解压后像素过多（疑似“图片炸弹”），未保存") from None
    except CultureInputError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CultureInputError(f"图片文件已损坏或不完整，无法读取：{type(exc).__name__}") from None
    return CheckedMedia(media_type, len(data), width, height, out.getvalue(), suffix)


def _audio_checked(data: bytes, media_type: MediaType) -> CheckedMedia:
    if media_type.key == "wav" and b"fmt " not in data[12:512]:
        raise CultureInputError("WAV 文件缺少格式块（fmt），文件已损坏")
    if media_type.key == "mp3" and len(data) < 128:
        raise CultureInputError("MP3 文件过短，不是完整的录音")
    return CheckedMedia(media_type, len(data))


def media_check(*, kind: str, file_name: str, data: bytes, max_bytes: int) -> CheckedMedia:
    """Return the checked file of a media upload, or raise CultureInputError saying why not.

    Checks, in order: the kind, the size limit, that the content is a type the kind allows,
    that it is the type the file name claims, and (images) the dimensions before decoding.
    """
    if kind not in KIND_TYPES:
        raise CultureInputError(f"未知的多媒体类型 {kind!r}")
    if not data:
        raise CultureInputError("文件为空")
    if len(data) > max_bytes:
        raise CultureInputError(
            f"文件大小 {len(data) / 1e6:.1f} MB 超过上限 {max_bytes / 1e6:.1f} MB，未保存"
        )
    allowed = [MEDIA_TYPES[k] for k in KIND_TYPES[kind]]
    allowed_text = "、".join(t.label for t in allowed)
    found = sniff(data[:64])
    claimed = claimed_type(file_name)
    if found is None or found not in KIND_TYPES[kind]:
        what = MEDIA_TYPES[found].label if found else "无法识别的内容"
        claim = f"（文件名声称是 {claimed.label}）" if claimed else ""
        raise CultureInputError(
            f"{KIND_LABELS[kind]}只接受 {allowed_text}；文件内容是{what}{claim}，未保存"
        )
    media_type = MEDIA_TYPES[found]
    if claimed is None or claimed.key != found:
        claim = claimed.label if claimed else f"扩展名“{_suffix(file_name) or '无'}”"
        raise CultureInputError(
            f"文件名声称是 {claim}，内容却是 {media_type.label}：类型与内容不符，未保存"
        )
    if media_type.family == "image":
        return _image_checked(data, media_type)
    if media_type.family == "audio":
        return _audio_checked(data, media_type)
    return CheckedMedia(media_type, len(data))


# ---- the census form's layout: 来历 / 含义 / 沿革 ---------------------------------------------

# Headings as the 2nd census registration form prints them (required ones with "*"), and
# the national database's detail page headings.
FORM_LABELS: dict[str, str] = {
    "代码": "place_code",
    "地名代码": "place_code",
    "标准名称": "standard_name",
    "来历": "origin",
    "地名来历": "origin",
    "含义": "meaning",
    "地名含义": "meaning",
    "沿革": "history",
    "历史沿革": "history",
}
FIELD_LABELS = {"origin": "地名来历", "meaning": "地名含义", "history": "历史沿革"}
CULTURE_FIELDS = tuple(FIELD_LABELS)
_NOISE = re.compile(r"[\s*＊:：\ufffd]")


def form_label(cell: Any) -> str | None:
    """Return the field a form label cell names ("地名含义*" → meaning), or None."""
    if not isinstance(cell, str):
        return None
    return FORM_LABELS.get(_NOISE.sub("", cell))


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class CultureRecord:
    row: int  # the sheet row (1-based) of the record's code
    place_code: str
    standard_name: str = ""
    values: dict[str, str] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)  # field → "第 n 行 X 列"


@dataclass
class CultureRowError:
    row: int
    column: str  # the letter
    label: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行 {self.column} 列「{self.label}」：{self.message}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("=", "+", "-", "@"))


def grid_layout(rows: Sequence[Sequence[Any]]) -> str:
    """Return "table" (one heading row, a record per row) or "form" (label/value pairs)."""
    for cells in rows:
        if not any(_text(c) for c in cells):
            continue
        labelled = [form_label(c) for c in cells]
        # A heading row names several fields and holds no value beside the code heading.
        if sum(1 for f in labelled if f) >= 2 and (len(cells) < 2 or form_label(cells[1])):
            return "table"
        return "form"
    return "table"


def _put(
    record: CultureRecord, key: str, value: Any, row: int, col: int, label: str,
    errors: list[CultureRowError],
) -> None:  # fmt: skip
    text = _text(value)
    if _is_formula(value):
        errors.append(CultureRowError(row, column_letter(col), label, "单元格是公式，请填写文字"))
        return
    if key in CULTURE_FIELDS and len(text) > MAX_CULTURE_TEXT:
        errors.append(
            CultureRowError(row, column_letter(col), label, f"超过 {MAX_CULTURE_TEXT} 字")
        )
        return
    if key == "standard_name":
        record.standard_name = text
    elif key in CULTURE_FIELDS and text:
        record.values[key] = text
    record.cells[key] = f"{row}:{column_letter(col)}"


def _parse_table(
    rows: Sequence[Sequence[Any]], errors: list[CultureRowError]
) -> list[CultureRecord]:
    header_at = next(i for i, cells in enumerate(rows) if any(_text(c) for c in cells))
    header = [(form_label(c), _text(c)) for c in rows[header_at]]
    code_col = next((i for i, (f, _) in enumerate(header) if f == "place_code"), None)
    if code_col is None:
        errors.append(CultureRowError(header_at + 1, "A", "代码", "表头缺少“代码”列"))
        return []
    if not any(f in CULTURE_FIELDS for f, _ in header):
        errors.append(
            CultureRowError(header_at + 1, "A", "表头", "表头缺少“地名来历”“地名含义”“历史沿革”列")
        )
        return []
    out = []
    for i in range(header_at + 1, len(rows)):
        cells, row = rows[i], i + 1
        if not any(_text(c) for c in cells):
            continue
        code = _text(cells[code_col]) if code_col < len(cells) else ""
        record = CultureRecord(row, code)
        record.cells["place_code"] = f"{row}:{column_letter(code_col)}"
        for col, (key, label) in enumerate(header):
            if key and key != "place_code" and col < len(cells):
                _put(record, key, cells[col], row, col, label, errors)
        out.append(record)
    return out


def _parse_form(
    rows: Sequence[Sequence[Any]], errors: list[CultureRowError]
) -> list[CultureRecord]:
    out: list[CultureRecord] = []
    current: CultureRecord | None = None
    for i, cells in enumerate(rows):
        row = i + 1
        for col in range(0, len(cells) - 1):
            key = form_label(cells[col])
            if key is None:
                continue
            label, value = _text(cells[col]).rstrip("*＊"), cells[col + 1]
            if key == "place_code":
                current = CultureRecord(row, _text(value))
                current.cells["place_code"] = f"{row}:{column_letter(col + 1)}"
                out.append(current)
            elif current is None:
                errors.append(
                    CultureRowError(row, column_letter(col), label, "出现在第一个“代码”之前")
                )
            else:
                _put(current, key, value, row, col + 1, label, errors)
    return out


def culture_records(
    rows: Iterable[Sequence[Any]],
) -> tuple[str, list[CultureRecord], list[CultureRowError]]:
    """Return the layout, the records and the row errors of a sheet's cells.

    Either layout is read: a table (a heading row 代码 / 标准名称 / 地名来历 / 地名含义 /
    历史沿革, a record per row) or the registration form itself (label cell, value cell to
    its right; a record starts at each 代码). Codes are checked here (20 digits, once per
    file); whether a record exists is the service's question.
    """
    grid = [list(r) for r in rows]
    errors: list[CultureRowError] = []
    layout = grid_layout(grid)
    records = _parse_table(grid, errors) if layout == "table" else _parse_form(grid, errors)
    seen: dict[str, int] = {}
    for record in records:
        column = record.cells.get("place_code", f"{record.row}:A").split(":")[1]
        if not re.fullmatch(r"\d{20}", record.place_code):
            errors.append(
                CultureRowError(
                    record.row, column, "代码", f"“{record.place_code}”不是 20 位地名代码"
                )
            )
        elif record.place_code in seen:
            errors.append(
                CultureRowError(
                    record.row, column, "代码", f"与第 {seen[record.place_code]} 行重复"
                )
            )
        else:
            seen[record.place_code] = record.row
    if not records and not errors:
        errors.append(CultureRowError(1, "A", "代码", "文件中没有地名记录"))
    return layout, records, errors
