"""The public answer cache's data-generation trigger on the new sign and culture tables.

The public culture pages and the lookup read them, so a write must bump the generation
(migrations/gis_portal/0005_load2_data_generation.py explains the trigger).
"""

from django.db import migrations

TABLES = ("placenames_placesign", "placenames_placenamemedia", "placenames_protectedname")

ATTACH = """
CREATE TRIGGER gis_portal_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gis_portal_data_changed();
"""
DETACH = "DROP TRIGGER IF EXISTS gis_portal_data_changed ON {table};"


class Migration(migrations.Migration):
    dependencies = [
        ("placenames", "0009_signs_media_protected_names"),
        ("gis_portal", "0005_load2_data_generation"),
    ]

    operations = [
        migrations.RunSQL(
            "".join(ATTACH.format(table=t) for t in TABLES),
            reverse_sql="".join(DETACH.format(table=t) for t in TABLES),
        ),
    ]
