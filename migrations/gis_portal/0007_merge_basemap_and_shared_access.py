# The base-map tile cache (issue 14) and shared API scopes (issue 15) were made side by side.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('gis_portal', '0006_basemap_tile_cache'),
        ('gis_portal', '0006_shared_api_scopes_and_usage'),
    ]

    operations = [
    ]
