# "What is here" measures the distance to the surveyed geometry itself (a street passing by
# counts), so the geometry needs its own geography index next to the point's.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("placenames", "0003_load_categories")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX placename_geom_geog_gist ON placenames_placename"
            " USING gist ((geom_4490::geography));",
            "DROP INDEX IF EXISTS placename_geom_geog_gist;",
        )
    ]
