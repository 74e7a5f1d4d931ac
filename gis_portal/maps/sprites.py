"""The style's sprite sheet: one symbol per icon layer and per class, drawn with Pillow.

A symbol is a rounded square in the class's colour carrying the first character of the
class's (or layer's) name in white — 养 for eldercare, 殡 for funeral services — so a
programme reads without the legend. Drawn at start-up from the catalogue, served from
memory; the CJK font is the system's Noto Sans CJK (Debian fonts-noto-cjk), and without it
the squares carry no character rather than a missing-glyph box.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from gis_portal.catalogue.spec import CatalogueLayer

FONT_PATHS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
FONT_INDEX_SC = 2  # the Simplified Chinese face in the Noto CJK collection
ICON_PX = 22


@dataclass(frozen=True)
class Symbol:
    name: str
    colour: str
    character: str


def sprite_symbols(
    layers: list[CatalogueLayer], class_labels: Mapping[str, Mapping[str, str]]
) -> list[Symbol]:
    """The symbols the style's icon layers name (``key`` and ``key-<class>``)."""
    symbols = []
    for layer in layers:
        style = layer.style
        if style is None or style.symbol != "icon" or layer.tiles is None:
            continue
        symbols.append(Symbol(layer.key, style.colour, layer.label[:1]))
        if style.class_field and style.class_colours:
            names = dict(layer.field(style.class_field).choices or {})
            names.update(class_labels.get(layer.key, {}))
            for code, colour in style.class_colours.items():
                symbols.append(Symbol(f"{layer.key}-{code}", colour, (names.get(code) or "")[:1]))
    return symbols


def _font(size: int):
    for path in FONT_PATHS:
        if path.exists():
            return ImageFont.truetype(str(path), size, index=FONT_INDEX_SC)
    return None


def sprite_sheet(symbols: list[Symbol], *, pixel_ratio: int) -> tuple[bytes, dict]:
    """Return (PNG bytes, sprite index JSON) of ``symbols`` at ``pixel_ratio`` (1 or 2)."""
    px = ICON_PX * pixel_ratio
    columns = 8
    rows = max(1, -(-len(symbols) // columns))
    sheet = Image.new("RGBA", (columns * px, rows * px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(sheet)
    font = _font(int(px * 0.62))
    index = {}
    for i, symbol in enumerate(symbols):
        x, y = (i % columns) * px, (i // columns) * px
        inset = pixel_ratio
        draw.rounded_rectangle(
            (x + inset, y + inset, x + px - 1 - inset, y + px - 1 - inset),
            radius=4 * pixel_ratio,
            fill=symbol.colour,
            outline="#ffffff",
            width=pixel_ratio,
        )
        if font is not None and symbol.character:
            draw.text(
                (x + px / 2, y + px / 2), symbol.character, fill="#ffffff", font=font, anchor="mm"
            )
        index[symbol.name] = {
            "x": x,
            "y": y,
            "width": px,
            "height": px,
            "pixelRatio": pixel_ratio,
        }
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue(), index


def sprite_json(index: dict) -> str:
    return json.dumps(index, separators=(",", ":"))
