"""The base of every geographic admin: the offline map widget instead of the OSM one."""

from django.contrib.gis.admin import GISModelAdmin

from gis_portal.widgets import OfflineMapWidget


class OfflineGISModelAdmin(GISModelAdmin):
    gis_widget = OfflineMapWidget
