"""The tile grid and the pieces of the base map that need no database."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from gis_portal.catalogue.spec import CatalogueLayer, Field, Source, Style, TileSpec
from gis_portal.maps.style import basemap_style
from gis_portal.maps.tile_sql import tile_sql
from gis_portal.maps.tilegrid import (
    WEB_MERCATOR_HALF_M,
    Tile,
    TileAddressError,
    lonlat_to_tile,
    parse_tile,
    tile_matrix_set,
)
from gis_portal.maps.watch import WHOLE, tables_of, watched_tables


@pytest.mark.parametrize(
    ("z", "x", "y", "parameter", "words"),
    [
        ("a", "0", "0", "z", "非负整数"),
        ("-1", "0", "0", "z", "非负整数"),
        ("21", "0", "0", "z", "0–20"),
        ("3", "8", "0", "x", "0–7"),
        ("3", "0", "99", "y", "0–7"),
        ("3", "1.5", "0", "x", "非负整数"),
        ("３", "0", "0", "z", "非负整数"),  # a full-width digit is not a number here
    ],
)
def test_a_bad_tile_address_names_the_part_in_chinese(z, x, y, parameter, words):
    with pytest.raises(TileAddressError) as caught:
        parse_tile(z, x, y)
    assert caught.value.parameter == parameter
    assert words in str(caught.value)


def test_tile_envelopes_tile_the_world():
    assert Tile(0, 0, 0).envelope_3857() == pytest.approx(
        (-WEB_MERCATOR_HALF_M, -WEB_MERCATOR_HALF_M, WEB_MERCATOR_HALF_M, WEB_MERCATOR_HALF_M)
    )
    x, y = lonlat_to_tile(130.2903, 47.3473, 14)
    xmin, ymin, xmax, ymax = Tile(14, x, y).envelope_3857()
    assert xmax - xmin == pytest.approx(2 * WEB_MERCATOR_HALF_M / 2**14)
    # The tile holding a point holds it (PostGIS ST_TileEnvelope's arithmetic).
    mx = WEB_MERCATOR_HALF_M * 130.2903 / 180
    my = 6378137 * math.log(math.tan(math.pi / 4 + math.radians(47.3473) / 2))
    assert xmin <= mx < xmax and ymin <= my < ymax


def test_the_tile_matrix_set_is_ogc_web_mercator_quad():
    tms = tile_matrix_set(max_zoom=3)
    assert tms["id"] == "WebMercatorQuad"
    assert [m["matrixWidth"] for m in tms["tileMatrices"]] == [1, 2, 4, 8]
    assert tms["tileMatrices"][0]["scaleDenominator"] == pytest.approx(559082264.0287178)


EXAMPLE = CatalogueLayer(
    key="wells",
    label="水井",
    model=None,
    geometry_type="Point",
    source=Source(
        table="example_well t JOIN example_kind k ON k.id = t.kind_id JOIN example_owner o ON o.id = t.owner_id",
        geometry_4490="t.point_4490",
    ),
    fields=(
        Field("name", "名称", "t.name"),
        Field("kind", "类型", "k.code"),
        Field("owner", "管理单位", "o.name", staff_only=True),
        Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
    ),
    tiles=TileSpec(min_zoom=12, properties=("name", "owner")),
    style=Style(
        symbol="circle",
        colour="#123456",
        label_field="name",
        class_field="kind",
        class_colours={"a": "#ff0000"},
    ),
)


def test_a_tile_statement_is_built_from_the_declaration_alone():
    public = tile_sql([EXAMPLE], z=14, staff=False)
    staff = tile_sql([EXAMPLE], z=14, staff=True)
    assert public is not None and staff is not None
    assert "'wells'" in public.sql and "t.point_4490 && b.benv_4490" in public.sql
    # The staff-only field travels only in staff tiles.
    assert '"owner"' not in public.sql and '"owner"' in staff.sql
    assert tile_sql([EXAMPLE], z=11, staff=True) is None  # below the layer's levels


def test_what_an_edit_makes_stale_follows_the_declaration():
    assert tables_of(EXAMPLE.source.table) == {
        "t": "example_well",
        "k": "example_kind",
        "o": "example_owner",
    }
    # The kind is carried by the tiles (class field): any edit of it; the owner too (a
    # staff field); the well by its point.
    assert watched_tables([EXAMPLE]) == {
        "example_well": ("point_4490",),
        "example_kind": WHOLE,
        "example_owner": WHOLE,
    }


def test_the_legend_lists_exactly_the_layers_the_style_draws():
    style = basemap_style(
        [EXAMPLE],
        staff=False,
        tilejson_url="/t.json",
        sprite_url="/s",
        webfonts_url="/f/{fontweight}.css",
        class_labels={},
    )
    legend = style["metadata"]["hegang:legend"]
    assert [e["layer"] for e in legend] == ["wells"]
    assert legend[0]["classes"] == [{"code": "a", "label": "其他", "colour": "#ff0000"}]
    drawn = {layer.get("source-layer") for layer in style["layers"]} - {None}
    assert drawn == {"wells"}
    assert "intranet-raster" not in style["sources"]  # off unless configured


def _style(layers: list, layout: str) -> dict:
    return basemap_style(
        layers,
        staff=False,
        tilejson_url="/t.json",
        sprite_url="/s",
        webfonts_url="/f/{fontweight}.css",
        class_labels={},
        layout=layout,
    )


def _label_sizes(layout: str) -> list[float]:
    style = _style([EXAMPLE], layout)
    return [
        layer["layout"]["text-size"]
        for layer in style["layers"]
        if "text-field" in layer.get("layout", {})
    ]


def test_the_kiosk_draws_the_labels_larger_and_the_phone_as_the_desktop():
    desktop, kiosk = _label_sizes("desktop"), _label_sizes("kiosk")
    assert desktop and len(kiosk) == len(desktop)
    assert all(k >= 1.5 * d for k, d in zip(kiosk, desktop, strict=True))
    assert _label_sizes("phone") == desktop


def _symbol_sizes(layout: str) -> list[float]:
    """The largest size of every point symbol and icon of the example layers."""
    icons = replace(EXAMPLE, key="sites", style=replace(EXAMPLE.style, symbol="icon"))
    style = _style([EXAMPLE, icons], layout)
    sizes = []
    for layer in style["layers"]:
        size = layer.get("paint", {}).get("circle-radius") or layer.get("layout", {}).get(
            "icon-size"
        )
        if size is not None:
            sizes.append(size[-1])  # ["interpolate", …, zoom, value]: the last stop
    return sizes


def test_the_kiosk_draws_points_and_icons_larger_for_a_finger():
    desktop, kiosk = _symbol_sizes("desktop"), _symbol_sizes("kiosk")
    assert len(desktop) == 2 and len(kiosk) == 2  # the circles and the icons
    assert all(k >= 1.5 * d for k, d in zip(kiosk, desktop, strict=True))
    assert _symbol_sizes("phone") == desktop


@pytest.mark.parametrize("layout", ["desktop", "kiosk"])
def test_a_facility_name_starts_below_its_icon(layout):
    from gis_portal.maps.sprites import ICON_PX

    icons = replace(EXAMPLE, key="sites", style=replace(EXAMPLE.style, symbol="icon"))
    style = _style([icons], layout)
    by_id = {layer["id"]: layer for layer in style["layers"]}
    icon_half_px = ICON_PX / 2 * by_id["sites"]["layout"]["icon-size"][-1]
    label = by_id["sites-label"]["layout"]
    assert label["text-anchor"] == "top"
    assert label["text-offset"][1] * label["text-size"] > icon_half_px
