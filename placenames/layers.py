"""The place-name layer of the catalogue: the census archive (public), edited by officers.

Edits of an existing name apply directly or as renaming/abolishing requests; a new name is
a naming request (the editor files it with CREATE_RULES).
"""

from __future__ import annotations

from gis_portal.catalogue.registry import catalogue_register
from gis_portal.catalogue.spec import CatalogueLayer, Field, Source, Style, TileSpec, choices_of
from gis_portal.editing.layers import PLACENAME_EDITORS, Layer
from gis_portal.editing.models import ChangeKind
from placenames.models import PlaceName, PlaceNameStatus
from placenames.services import edit as placename_edit

# The census's classes (first two digits of the GB/T 18521 code), each its own map colour.
CATEGORY_CLASSES = {
    "11": "海域",
    "12": "陆地水系",
    "13": "陆地地形",
    "21": "行政区域",
    "22": "居民点",
    "23": "交通运输设施",
    "24": "水利电力通信设施",
    "25": "纪念地旅游景点",
    "26": "建筑物",
    "27": "单位",
}

# The table of the layer; the county of a name is its division's own (county level), its
# parent (township) or its grandparent (village); none without a geometry.
PLACENAME_TABLE = (
    "placenames_placename t"
    " JOIN placenames_placecategory c ON c.id = t.category_id"
    " JOIN boundaries_administrativearea d ON d.id = t.division_id"
    " LEFT JOIN boundaries_administrativearea dp ON dp.id = d.parent_id"
)
PLACENAME_COUNTY_SQL = (
    "CASE WHEN t.geom_4490 IS NULL AND t.point_4490 IS NULL THEN NULL"
    " WHEN d.level = 'county' THEN d.id WHEN d.level = 'township' THEN d.parent_id"
    " WHEN d.level = 'village' THEN dp.parent_id END"
)
# What the editor loads of a county: the surveyed geometry (or the representative point
# where none was surveyed) with these properties.
PLACENAME_FEATURE_PROPERTIES = (
    ("label", "t.standard_name"),
    ("standard_name", "t.standard_name"),
    ("place_code", "t.place_code"),
    ("pinyin", "t.pinyin"),
    ("pinyin_needs_check", "t.pinyin_needs_check"),
    ("abbreviation", "t.abbreviation"),
    ("category", "c.code"),
    ("category_name", "c.name"),
    ("division", "d.code"),
    ("division_name", "d.name"),
    ("status", "t.status"),
    ("abolished_on", "t.abolished_on"),
    ("description", "t.description"),
    ("remarks", "t.remarks"),
    ("is_demo", "t.is_demo"),
)

catalogue_register(
    CatalogueLayer(
        key="placenames",
        label="地名",
        description="第二次全国地名普查成果：标准名称、罗马字母拼写、类别与位置",
        model=PlaceName,
        geometry_type="Geometry",  # point, line or polygon, as the category allows
        source=Source(
            table=PLACENAME_TABLE,
            geometry_4490="COALESCE(t.geom_4490, t.point_4490)",
            bbox_columns=("t.geom_4490", "t.point_4490"),
            county=PLACENAME_COUNTY_SQL,
            where="t.geom_4490 IS NOT NULL OR t.point_4490 IS NOT NULL",
            period=("t.named_on", "t.abolished_on"),
        ),
        fields=(
            Field("standard_name", "标准名称", "t.standard_name"),
            Field("pinyin", "罗马字母拼写", "t.pinyin"),
            Field("place_code", "地名代码", "t.place_code"),
            Field("category", "类别", "c.name"),
            Field("category_class", "门类", "left(c.code, 2)", choices=CATEGORY_CLASSES),
            Field("division", "所在行政区", "d.name"),
            Field("division_code", "所在行政区代码", "d.code"),
            Field("status", "使用状态", "t.status", choices=choices_of(PlaceNameStatus)),
            Field("named_on", "命名时间", "t.named_on", kind="date"),
            Field(
                "pinyin_needs_check",
                "拼写需人工核对",
                "t.pinyin_needs_check",
                kind="boolean",
                staff_only=True,
            ),
            Field("remarks", "备注", "t.remarks", staff_only=True),
            Field("registrar", "登记人", "t.registrar", staff_only=True),
            Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
        ),
        datetime_field="named_on",
        tiles=TileSpec(
            min_zoom=10,
            properties=("standard_name", "pinyin", "category_class", "status"),
            simplify_below_zoom=14,
        ),
        style=Style(
            symbol="circle",
            colour="#4a4a4a",
            label_field="standard_name",
            pinyin_field="pinyin",
            label_priority=20,
            class_field="category_class",
            class_colours={
                "12": "#2f7fc1",
                "13": "#8a6d3b",
                "21": "#5b7a99",
                "22": "#333333",
                "23": "#7f7f7f",
                "24": "#2aa198",
                "25": "#3c8d2f",
                "26": "#a0522d",
                "27": "#6c4f9e",
            },
            min_label_zoom=12,
        ),
        edit=Layer(
            geometry_kind="any",
            editor_roles=PLACENAME_EDITORS,
            change_kind=ChangeKind.RENAMING,
            # Its delete is refused: an abolished name stays in the archive (销名申请).
            writes=placename_edit.PLACENAME_WRITES,
            label_of=lambda obj: f"{obj.standard_name}（{obj.place_code}）",
            request_kind=placename_edit.request_kind_of,
            apply_approved=placename_edit.placename_apply_approved,
            create_refusal="新地名须经审批：请提交命名申请（附综合评估、专家论证、征求意见报告）",
            # Drawn in the editor, a new name is saved as a naming request with these fields.
            create_rules=placename_edit.CREATE_RULES,
            feature_properties=PLACENAME_FEATURE_PROPERTIES,
            review=placename_edit.placename_naming_review,
            announcement=placename_edit.placename_announcement,
        ),
    ),
)
