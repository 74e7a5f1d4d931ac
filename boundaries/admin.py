from django.contrib import admin

from boundaries.models import AdministrativeArea, AreaPopulation
from gis_portal.admin_base import OfflineGISModelAdmin


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(OfflineGISModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent", "code_authority", "is_demo")
    list_filter = ("level", "code_authority", "is_demo")
    search_fields = ("code", "name", "nbs_code")
    raw_id_fields = ("parent",)


@admin.register(AreaPopulation)
class AreaPopulationAdmin(admin.ModelAdmin):
    list_display = ("area", "census_year", "population", "age_60_plus", "age_0_14")
    list_filter = ("census_year",)
