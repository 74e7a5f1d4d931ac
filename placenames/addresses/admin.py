"""Admin of streets, signs and door plates: a change is tried through the layer's edit service
(gis_portal.editing.admin_validation), so the admin keeps the editor's rules."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from gis_portal.admin_base import OfflineGISModelAdmin
from gis_portal.editing.admin_validation import LayerValidatedAdminMixin, layer_validated
from gis_portal.editing.admin_versioning import VersionCheckedAdminMixin
from gis_portal.metric_crs import to_metric
from placenames.addresses.models import (
    DoorPlate,
    PlateStatus,
    SignInspection,
    Street,
    StreetFormerName,
    StreetSign,
)
from placenames.addresses.numbering import NumberingError, NumberingRule, locate, validate_line
from placenames.addresses.tile_store import tile_cache_invalidate
from placenames.romanize import RomanizeInputError, romanize


class StreetFormerNameInline(admin.TabularInline):
    model = StreetFormerName
    extra = 0


class StreetForm(forms.ModelForm):
    class Meta:
        model = Street
        fields = (
            "name", "name_pinyin", "place_name", "county", "township", "start_description",
            "end_description", "geom_4490", "base_end", "odd_side", "numbering_mode",
            "metres_per_number", "named_on", "approved_by", "is_demo",
        )  # fmt: skip

    def clean(self):
        data = super().clean()
        line = data.get("geom_4490")
        if line is not None:
            xs, ys = to_metric([c[0] for c in line.coords], [c[1] for c in line.coords])
            try:
                validate_line(list(zip(xs, ys, strict=True)))
            except NumberingError as exc:
                raise forms.ValidationError(str(exc)) from None
        try:
            NumberingRule(
                base_end=data.get("base_end") or "start",
                odd_side=data.get("odd_side") or "right",
                mode=data.get("numbering_mode") or "per_door",
                metres_per_number=data.get("metres_per_number"),
            )
        except NumberingError as exc:
            raise forms.ValidationError(str(exc)) from None
        if data.get("name") and not data.get("name_pinyin"):
            try:
                data["name_pinyin"] = romanize(data["name"]).pinyin
            except RomanizeInputError as exc:
                raise forms.ValidationError({"name": f"街路巷名称无法拼写：{exc}"}) from None
        return data


@admin.register(Street)
class StreetAdmin(LayerValidatedAdminMixin, VersionCheckedAdminMixin, OfflineGISModelAdmin):
    # A change is tried through the streets layer's edit service (its rules, no copy).
    form = layer_validated(StreetForm, layer_key="streets", field_map={"geom_4490": "geometry"})
    list_display = (
        "name",
        "name_pinyin",
        "county",
        "township",
        "numbering_mode",
        "named_on",
        "is_demo",
    )
    list_filter = ("numbering_mode", "odd_side", "is_demo", "county")
    search_fields = ("name", "name_pinyin")
    raw_id_fields = ("county", "township", "place_name")
    inlines = [StreetFormerNameInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        tile_cache_invalidate(bbox_4490=obj.geom_4490.extent)


class SignInspectionInline(admin.TabularInline):
    model = SignInspection
    extra = 0


@admin.register(StreetSign)
class StreetSignAdmin(LayerValidatedAdminMixin, VersionCheckedAdminMixin, OfflineGISModelAdmin):
    form = layer_validated(
        forms.ModelForm,
        layer_key="street-signs",
        field_map={"point_4490": "geometry", "street": "street_id"},
        recheck_when={"street": ("geometry",)},
    )
    list_display = (
        "id",
        "text_zh",
        "kind",
        "street",
        "condition",
        "status",
        "installed_on",
        "is_demo",
    )
    list_filter = ("kind", "condition", "status", "is_demo")
    search_fields = ("text_zh", "street__name")
    raw_id_fields = ("street",)
    inlines = [SignInspectionInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        p = obj.point_4490
        tile_cache_invalidate(bbox_4490=(p.x, p.y, p.x, p.y), layers=["signs"])


class DoorPlateForm(forms.ModelForm):
    class Meta:
        model = DoorPlate
        fields = (
            "street", "number", "sub_number", "building", "unit", "name_on_plate",
            "point_4490", "status", "installed_on", "retired_on", "is_demo",
        )  # fmt: skip

    def clean(self):
        data = super().clean()
        street, point = data.get("street"), data.get("point_4490")
        number, sub = data.get("number"), data.get("sub_number") or 0
        if street and number and data.get("status") != PlateStatus.RETIRED:
            clash = DoorPlate.objects.filter(street=street, number=number, sub_number=sub).exclude(
                status=PlateStatus.RETIRED
            )
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(f"{street.name}{number}号（副号 {sub}）已被占用")
        if street and point:
            try:
                self.located = locate(
                    list(street.line_4552.coords), *to_metric(point.x, point.y),
                    base_end=street.base_end,
                )  # fmt: skip
            except NumberingError as exc:
                raise forms.ValidationError(str(exc)) from None
        return data


@admin.register(DoorPlate)
class DoorPlateAdmin(LayerValidatedAdminMixin, VersionCheckedAdminMixin, OfflineGISModelAdmin):
    form = layer_validated(
        DoorPlateForm,
        layer_key="door-plates",
        field_map={"point_4490": "geometry", "street": "street_id"},
        recheck_when={"street": ("number", "geometry")},
    )
    list_display = ("__str__", "street", "number", "sub_number", "side", "status", "is_demo")
    list_filter = ("status", "side", "is_demo")
    search_fields = ("street__name", "name_on_plate")
    raw_id_fields = ("street",)

    def save_model(self, request, obj, form, change):
        old = DoorPlate.objects.get(pk=obj.pk).point_4490 if change else None
        obj.side = form.located.side
        super().save_model(request, obj, form, change)
        for p in filter(None, (old, obj.point_4490)):
            tile_cache_invalidate(bbox_4490=(p.x, p.y, p.x, p.y), layers=["doorplates"])
