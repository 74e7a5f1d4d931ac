from django.contrib import admin

from gis_portal.admin_base import OfflineGISModelAdmin
from placenames.models import GeoNamesPlace


@admin.register(GeoNamesPlace)
class GeoNamesPlaceAdmin(OfflineGISModelAdmin):
    list_display = ("geonames_id", "name", "name_zh", "feature_code", "population")
    search_fields = ("name", "name_zh", "alternate_names")
