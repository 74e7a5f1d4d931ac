"""The facilities layer of the catalogue (民政设施): public, edited directly by planners."""

from __future__ import annotations

from facilities.models import CapacityUnit, Facility, FacilityStatus, Operator
from facilities.services import facilities as facility_services
from gis_portal.catalogue.registry import catalogue_register
from gis_portal.catalogue.spec import CatalogueLayer, Field, Source, Style, TileSpec, choices_of
from gis_portal.editing.layers import FACILITY_EDITORS, Layer

catalogue_register(
    CatalogueLayer(
        key="facilities",
        label="民政设施",
        description="养老、儿童福利、救助、殡葬和社会工作等民政服务设施",
        model=Facility,
        geometry_type="Point",
        source=Source(
            table=(
                "facilities_facility t JOIN facilities_programme p ON p.id = t.programme_id "
                "JOIN facilities_facilitytype ft ON ft.id = t.facility_type_id"
            ),
            geometry_4490="t.position_4490",
            county="t.county_id",
            period=("t.opened_on", "t.closed_on"),
        ),
        fields=(
            Field("name", "名称", "t.name"),
            Field("programme", "服务类别代码", "p.slug"),
            Field("programme_name", "服务类别名称", "p.name"),
            Field("facility_type", "设施类型", "ft.name"),
            Field("address", "地址", "t.address"),
            Field("status", "状态", "t.status", choices=choices_of(FacilityStatus)),
            Field("operator", "运营方式", "t.operator", choices=choices_of(Operator)),
            Field("capacity", "容量", "t.capacity", kind="integer"),
            Field("capacity_unit", "容量单位", "t.capacity_unit", choices=choices_of(CapacityUnit)),
            Field("opened_on", "启用日期", "t.opened_on", kind="date"),
            Field("source", "数据来源", "t.source", staff_only=True),
            Field("is_demo", "演示数据", "t.is_demo", kind="boolean"),
        ),
        datetime_field="opened_on",
        tiles=TileSpec(min_zoom=9, properties=("name", "programme", "status")),
        style=Style(
            symbol="icon",
            colour="#8e44ad",
            label_field="name",
            label_priority=40,
            class_field="programme",
            class_label_field="programme_name",
            class_colours={
                "eldercare_daycare": "#e67e22",
                "eldercare_institution": "#d35400",
                "children_home": "#e84393",
                "child_protection": "#c2185b",
                "rescue": "#2980b9",
                "funeral": "#555555",
                "social_work": "#16a085",
            },
            min_label_zoom=13,
        ),
        edit=Layer(
            editor_roles=FACILITY_EDITORS,
            change_kind=None,
            writes=facility_services.FACILITY_WRITES,
            label_of=lambda obj: obj.name,
            create=facility_services.facility_create_from_changes,
            create_rules=facility_services.FACILITY_CREATE_RULES,
            # What the editor shows of a facility.
            feature_properties=(
                ("label", "t.name"),
                ("name", "t.name"),
                ("programme", "p.slug"),
                ("programme_name", "p.name"),
                ("facility_type", "ft.slug"),
                ("facility_type_name", "ft.name"),
                ("address", "t.address"),
                ("status", "t.status"),
                ("operator", "t.operator"),
                ("capacity", "t.capacity"),
                ("capacity_unit", "t.capacity_unit"),
                ("site_area_m2", "t.site_area_m2"),
                ("planned_on", "t.planned_on"),
                ("construction_started_on", "t.construction_started_on"),
                ("opened_on", "t.opened_on"),
                ("closed_on", "t.closed_on"),
                ("is_demo", "t.is_demo"),
            ),
        ),
    ),
)
