from django import forms
from django.contrib import admin

from gis_portal.admin_base import OfflineGISModelAdmin
from gis_portal.editing.admin_validation import LayerValidatedAdminMixin, layer_validated
from gis_portal.editing.admin_versioning import VersionCheckedAdminMixin
from placenames.culture import protection_problem
from placenames.models import (
    GeoNamesPlace,
    PlaceCategory,
    PlaceName,
    PlaceNameAlias,
    PlaceNameMedia,
    PlaceSign,
    ProtectedName,
)
from placenames.services.names import placename_search_keys_refresh, representative_point


@admin.register(GeoNamesPlace)
class GeoNamesPlaceAdmin(OfflineGISModelAdmin):
    list_display = ("geonames_id", "name", "name_zh", "feature_code", "population")
    search_fields = ("name", "name_zh", "alternate_names")


@admin.register(PlaceCategory)
class PlaceCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "census_class", "confidence")
    search_fields = ("code", "name")


class PlaceNameAliasInline(admin.TabularInline):
    model = PlaceNameAlias
    extra = 0


@admin.register(PlaceName)
class PlaceNameAdmin(LayerValidatedAdminMixin, VersionCheckedAdminMixin, OfflineGISModelAdmin):
    # A change is tried through the place-name layer's edit service: geometry type allowed
    # by the category, inside the city, valid (its rules, no copy).
    form = layer_validated(
        forms.ModelForm,
        layer_key="placenames",
        field_map={"geom_4490": "geometry"},
        recheck_when={"category": ("geometry",)},
    )
    list_display = (
        "place_code",
        "standard_name",
        "pinyin",
        "pinyin_needs_check",
        "category",
        "division",
        "status",
        "is_demo",
    )
    list_filter = ("status", "is_demo", "pinyin_needs_check", "category__census_class")
    search_fields = ("place_code", "standard_name", "pinyin")
    raw_id_fields = ("division",)
    autocomplete_fields = ("category",)
    filter_horizontal = ("other_divisions",)
    inlines = [PlaceNameAliasInline]
    readonly_fields = ("created_at", "updated_at")
    # Names of registered places change only through approved change requests (更名/销名).
    name_fields = ("standard_name", "status", "abolished_on")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, *self.name_fields) if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if "geom_4490" in form.changed_data and "point_4490" not in form.changed_data:
            # As the editor does: the label point follows the new geometry.
            obj.point_4490 = representative_point(obj.geom_4490)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Aliases are saved by now; the search keys cover them.
        placename_search_keys_refresh(place=form.instance)


@admin.register(PlaceSign)
class PlaceSignAdmin(OfflineGISModelAdmin):
    list_display = ("text_zh", "kind", "place", "status", "condition", "installed_on", "is_demo")
    list_filter = ("kind", "status", "condition", "is_demo")
    search_fields = ("text_zh", "place__standard_name", "place__place_code")
    raw_id_fields = ("place",)


@admin.register(PlaceNameMedia)
class PlaceNameMediaAdmin(admin.ModelAdmin):
    """Shown and deleted here; added only on the culture page, which checks the content."""

    list_display = (
        "title",
        "kind",
        "place",
        "content_type",
        "size_bytes",
        "uploaded_at",
        "is_demo",
    )
    list_filter = ("kind", "is_demo")
    search_fields = ("title", "place__standard_name", "place__place_code")
    readonly_fields = [f.name for f in PlaceNameMedia._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProtectedNameForm(forms.ModelForm):
    class Meta:
        model = ProtectedName
        fields = [
            "place",
            "reason_kind",
            "reason",
            "in_use_since_year",
            "listed_on",
            "listed_by",
            "is_demo",
        ]

    def clean(self):
        data = super().clean()
        problem = protection_problem(
            reason_kind=data.get("reason_kind", ""),
            reason=data.get("reason", ""),
            in_use_since_year=data.get("in_use_since_year"),
            listed_year=data["listed_on"].year if data.get("listed_on") else None,
        )
        if problem:
            raise forms.ValidationError(problem)
        return data


@admin.register(ProtectedName)
class ProtectedNameAdmin(admin.ModelAdmin):
    form = ProtectedNameForm
    list_display = ("place", "reason_kind", "in_use_since_year", "listed_on", "is_demo")
    list_filter = ("reason_kind", "is_demo")
    search_fields = ("place__standard_name", "place__place_code", "reason")
    raw_id_fields = ("place",)
