"""The boundary layers of the catalogue: administrative areas, boundary lines and markers.

Areas are public; they change only by a division adjustment (区划调整), filed as a change
request on the adjustment pages, never drawn in the editor (``division_requests``). Lines
and markers are staff layers: edited by boundary officers, every change as a change request.
"""

from __future__ import annotations

from boundaries import division_requests
from boundaries.models import (
    AdministrativeArea,
    AreaLevel,
    BoundaryLine,
    BoundaryMarker,
    MarkerKind,
    MarkerType,
)
from boundaries.services import lines as line_services
from gis_portal.catalogue.registry import catalogue_register
from gis_portal.catalogue.spec import STAFF_READERS as STAFF
from gis_portal.catalogue.spec import CatalogueLayer, Field, Source, Style, TileSpec, choices_of
from gis_portal.editing.layers import BOUNDARY_EDITORS, Layer
from gis_portal.editing.models import ChangeKind

LEVELS = choices_of(AreaLevel)

catalogue_register(
    CatalogueLayer(
        key="areas",
        label="行政区域",
        description="市、县（区）、乡镇（街道）的现行行政区域",
        model=AdministrativeArea,
        geometry_type="MultiPolygon",
        source=Source(
            table="boundaries_administrativearea t",
            geometry_4490="t.geom_4490",
            where="t.geom_4490 IS NOT NULL",
            current="t.valid_to IS NULL",
            # valid_to is the last day in force (an adjustment ends the old unit the day before).
            period=("t.valid_from", "(t.valid_to + 1)"),
            county="CASE WHEN t.level = 'county' THEN t.id ELSE NULL END",
        ),
        fields=(
            Field("name", "名称", "t.name"),
            Field("code", "区划代码", "t.code"),
            Field("level", "级别", "t.level", choices=LEVELS),
            Field("kind", "类型", "t.kind"),
            Field("valid_from", "生效日期", "t.valid_from", kind="date"),
            Field("source", "数据来源", "t.source", staff_only=True),
            Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
            Field("geom_is_demo", "边界为演示数据", "t.geom_is_demo", kind="boolean"),
        ),
        datetime_field="valid_from",
        tiles=TileSpec(min_zoom=6, properties=("name", "code", "level"), simplify_below_zoom=12),
        style=Style(
            symbol="fill",
            colour="#5b7a99",
            label_field="name",
            label_priority=10,
            class_field="level",
            class_colours={"city": "#3a4f66", "county": "#5b7a99", "township": "#8fa8bf"},
        ),
        edit=Layer(
            editor_roles=BOUNDARY_EDITORS,
            change_kind=ChangeKind.DIVISION,
            rules={},
            update=division_requests.area_update_refused,
            delete=division_requests.area_update_refused,
            label_of=lambda obj: f"{obj.name}（{obj.code}）",
            footprint=division_requests.area_footprint,
            create_refusal=division_requests.REFUSAL,
            request_kind=division_requests.area_request_kind,
            apply_approved=division_requests.area_apply_approved,
            in_editor=False,
        ),
    ),
    CatalogueLayer(
        key="boundary-lines",
        label="行政区域界线",
        model=BoundaryLine,
        geometry_type="MultiLineString",
        read_roles=STAFF,
        source=Source(
            table="boundaries_boundaryline t",
            geometry_4490="t.geom_4490",
            where="t.geom_4490 IS NOT NULL",
        ),
        fields=(
            Field("code", "界线编号", "t.code"),
            Field("name", "界线名称", "t.name"),
            Field("level", "级别", "t.level", choices=LEVELS),
            Field("agreement_ref", "协议书编号", "t.agreement_ref"),
            Field("agreement_date", "协议书签订日期", "t.agreement_date", kind="date"),
            Field("original_crs", "原始坐标系", "t.original_crs"),
            Field("converted_at", "转换时间", "t.converted_at", kind="datetime"),
            Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
        ),
        datetime_field="agreement_date",
        tiles=TileSpec(min_zoom=8, properties=("name", "code", "level")),
        style=Style(symbol="line", colour="#b03a2e", label_field="name", label_priority=30),
        edit=Layer(
            editor_roles=BOUNDARY_EDITORS,
            change_kind=ChangeKind.BOUNDARY_LINE,
            writes=line_services.LINE_WRITES,
            label_of=lambda obj: f"{obj.code} {obj.name}",
            recheck=lambda pks: line_services.topology_recheck(line_ids=pks, marker_ids=[]),
            create_refusal="界线依据界线协议书录入（边界导入或管理后台），不能在地图上直接新建",
            # Every change of a boundary goes in as a change request (approval applies it);
            # a new line only from a bulk import, which gives its code and areas.
            request_kind=line_services.line_request_kind,
            apply_approved=line_services.line_apply_approved,
        ),
    ),
    CatalogueLayer(
        key="boundary-markers",
        label="界桩",
        model=BoundaryMarker,
        geometry_type="Point",
        read_roles=STAFF,
        source=Source(
            table="boundaries_boundarymarker t JOIN boundaries_boundaryline l ON l.id = t.line_id",
            geometry_4490="t.geom_4490",
            where="t.geom_4490 IS NOT NULL",
        ),
        fields=(
            Field("number", "界桩编号", "t.number"),
            Field("line_code", "界线编号", "l.code"),
            Field("type_code", "类型", "t.type_code", choices=choices_of(MarkerType)),
            Field("kind", "立法", "t.kind", choices=choices_of(MarkerKind)),
            Field("material", "材质", "t.material"),
            Field("description", "位置描述", "t.description"),
            Field("cgcs_x_m", "CGCS2000 东坐标 (m)", "t.cgcs_x_m", kind="number"),
            Field("cgcs_y_m", "CGCS2000 北坐标 (m)", "t.cgcs_y_m", kind="number"),
            Field("cgcs_crs", "CGCS2000 平面坐标系", "t.cgcs_crs"),
            Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
        ),
        tiles=TileSpec(min_zoom=11, properties=("number", "kind")),
        style=Style(
            symbol="icon",
            colour="#b03a2e",
            label_field="number",
            label_priority=35,
            min_label_zoom=14,
        ),
        edit=Layer(
            editor_roles=BOUNDARY_EDITORS,
            change_kind=ChangeKind.BOUNDARY_MARKER,
            writes=line_services.MARKER_WRITES,
            label_of=lambda obj: obj.number,
            recheck=lambda pks: line_services.topology_recheck(line_ids=[], marker_ids=pks),
            create_refusal="界桩依据联检成果录入（边界导入或管理后台），不能在地图上直接新建",
            request_kind=line_services.marker_request_kind,
            apply_approved=line_services.marker_apply_approved,
        ),
    ),
)
