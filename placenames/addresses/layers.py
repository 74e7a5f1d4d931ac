"""The address layers of the catalogue: streets, street signs and door plates (public).

Edited directly by place-name officers (no approval); new ones may be drawn in the editor.
"""

from __future__ import annotations

from gis_portal.catalogue.registry import catalogue_register
from gis_portal.catalogue.spec import CatalogueLayer, Field, Source, Style, TileSpec, choices_of
from gis_portal.editing.layers import PLACENAME_EDITORS, Layer
from placenames.addresses.models import (
    Condition,
    DoorPlate,
    PlateStatus,
    Side,
    SignKind,
    SignStatus,
    Street,
    StreetSign,
)
from placenames.addresses.services import plates as plate_services
from placenames.addresses.services import signs as sign_services
from placenames.addresses.services import streets as street_services

# The plate as written on it: 12号, 12号之一 … 12号之十, 12附11号.
PLATE_LABEL_SQL = (
    "t.number || '号' || CASE WHEN t.sub_number = 0 THEN ''"
    " WHEN t.sub_number <= 10 THEN '之' || (ARRAY['一','二','三','四','五',"
    "'六','七','八','九','十'])[t.sub_number] ELSE '附' || t.sub_number || '号' END"
)

# What the editor shows of each layer's features (GeoJSON built by PostGIS from the source).
STREET_FEATURE_PROPERTIES = (
    ("label", "t.name"),
    ("name", "t.name"),
    ("start_description", "t.start_description"),
    ("end_description", "t.end_description"),
    ("base_end", "t.base_end"),
    ("odd_side", "t.odd_side"),
    ("numbering_mode", "t.numbering_mode"),
    ("metres_per_number", "t.metres_per_number"),
    ("approved_by", "t.approved_by"),
    ("is_demo", "t.is_demo"),
)


SIGN_FEATURE_PROPERTIES = (
    ("label", "t.text_zh"),
    ("street_id", "t.street_id"),
    ("kind", "t.kind"),
    ("condition", "t.condition"),
    ("status", "t.status"),
    ("installed_on", "t.installed_on"),
    ("is_demo", "t.is_demo"),
)


PLATE_FEATURE_PROPERTIES = (
    (
        "label",
        "t.name_on_plate || t.number || '号' || "
        "CASE WHEN t.sub_number > 0 THEN '-' || t.sub_number ELSE '' END",
    ),
    ("street_id", "t.street_id"),
    ("number", "t.number"),
    ("sub_number", "t.sub_number"),
    ("building", "t.building"),
    ("unit", "t.unit"),
    ("status", "t.status"),
    ("installed_on", "t.installed_on"),
    ("retired_on", "t.retired_on"),
    ("is_demo", "t.is_demo"),
)


catalogue_register(
    CatalogueLayer(
        key="streets",
        label="街路巷",
        description="街、路、巷的标准名称、拼写与走向",
        model=Street,
        geometry_type="LineString",
        source=Source(
            table="addresses_street t",
            geometry_4490="t.geom_4490",
            county="t.county_id",
            period=("t.named_on", "NULL::date"),
        ),
        fields=(
            Field("name", "标准名称", "t.name"),
            Field("name_pinyin", "罗马字母拼写", "t.name_pinyin"),
            Field("start_description", "起点", "t.start_description"),
            Field("end_description", "止点", "t.end_description"),
            Field("named_on", "命名/更名时间", "t.named_on", kind="date"),
            Field("approved_by", "批准机关", "t.approved_by"),
            Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
        ),
        datetime_field="named_on",
        tiles=TileSpec(min_zoom=11, properties=("name", "name_pinyin")),
        style=Style(
            symbol="line",
            colour="#c8a24a",
            label_field="name",
            pinyin_field="name_pinyin",
            label_priority=15,
            min_label_zoom=14,
        ),
        edit=Layer(
            editor_roles=PLACENAME_EDITORS,
            change_kind=None,
            writes=street_services.STREET_WRITES,
            label_of=lambda obj: obj.name,
            recheck=street_services.streets_recheck,
            create=street_services.street_create_from_changes,
            create_rules=street_services.STREET_CREATE_RULES,
            feature_properties=STREET_FEATURE_PROPERTIES,
        ),
    ),
    CatalogueLayer(
        key="street-signs",
        label="路牌",
        model=StreetSign,
        geometry_type="Point",
        source=Source(
            table="addresses_streetsign t JOIN addresses_street s ON s.id = t.street_id",
            geometry_4490="t.point_4490",
            geometry_3857="t.point_3857",
            county="s.county_id",
            period=("t.installed_on", "NULL::date"),
        ),
        fields=(
            Field("text_zh", "牌面中文", "t.text_zh"),
            Field("text_pinyin", "牌面拼音", "t.text_pinyin"),
            Field("street", "所在街路巷", "s.name"),
            Field("kind", "类型", "t.kind", choices=choices_of(SignKind)),
            Field("status", "状态", "t.status", choices=choices_of(SignStatus)),
            Field(
                "condition", "现状", "t.condition", choices=choices_of(Condition), staff_only=True
            ),
            Field("installed_on", "安装时间", "t.installed_on", kind="date"),
            Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
        ),
        datetime_field="installed_on",
        tiles=TileSpec(min_zoom=12, properties=("text_zh", "kind", "status")),
        style=Style(
            symbol="icon",
            colour="#1f6f43",
            label_field="text_zh",
            pinyin_field="text_pinyin",
            label_priority=60,
            class_field="kind",
            min_label_zoom=17,
        ),
        edit=Layer(
            editor_roles=PLACENAME_EDITORS,
            change_kind=None,
            writes=sign_services.SIGN_WRITES,
            label_of=lambda obj: f"{obj.text_zh} {obj.get_kind_display()}",
            create=sign_services.sign_create_from_changes,
            create_rules=sign_services.SIGN_CREATE_RULES,
            feature_properties=SIGN_FEATURE_PROPERTIES,
        ),
    ),
    CatalogueLayer(
        key="door-plates",
        label="门牌",
        model=DoorPlate,
        geometry_type="Point",
        source=Source(
            table="addresses_doorplate t JOIN addresses_street s ON s.id = t.street_id",
            geometry_4490="t.point_4490",
            geometry_3857="t.point_3857",
            county="s.county_id",
            period=("t.installed_on", "t.retired_on"),
        ),
        fields=(
            Field("address", "门牌地址", f"t.name_on_plate || {PLATE_LABEL_SQL}"),
            Field("plate", "门牌号", PLATE_LABEL_SQL),
            Field("street", "所在街路巷", "s.name"),
            Field("number", "号", "t.number", kind="integer"),
            Field("sub_number", "副号", "t.sub_number", kind="integer"),
            Field("building", "楼栋", "t.building"),
            Field("unit", "单元", "t.unit"),
            Field("side", "所在侧", "t.side", choices=choices_of(Side), staff_only=True),
            Field("status", "状态", "t.status", choices=choices_of(PlateStatus)),
            Field("installed_on", "安装时间", "t.installed_on", kind="date"),
            Field("retired_on", "注销时间", "t.retired_on", kind="date", staff_only=True),
            Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
        ),
        datetime_field="installed_on",
        tiles=TileSpec(min_zoom=14, properties=("plate", "status")),
        style=Style(
            symbol="circle",
            colour="#3366cc",
            label_field="plate",
            label_priority=80,
            min_label_zoom=17,
        ),
        edit=Layer(
            editor_roles=PLACENAME_EDITORS,
            change_kind=None,
            writes=plate_services.PLATE_WRITES,
            recheck=plate_services.plates_recheck,
            create=plate_services.plate_create_from_changes,
            create_rules=plate_services.PLATE_CREATE_RULES,
            feature_properties=PLATE_FEATURE_PROPERTIES,
        ),
    ),
)
