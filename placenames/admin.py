from django.contrib import admin

from gis_portal.admin_base import OfflineGISModelAdmin
from gis_portal.editing.admin_versioning import VersionCheckedAdminMixin
from placenames.models import GeoNamesPlace, PlaceCategory, PlaceName, PlaceNameAlias
from placenames.services import placename_search_keys_refresh


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
class PlaceNameAdmin(VersionCheckedAdminMixin, OfflineGISModelAdmin):
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Aliases are saved by now; the search keys cover them.
        placename_search_keys_refresh(place=form.instance)
