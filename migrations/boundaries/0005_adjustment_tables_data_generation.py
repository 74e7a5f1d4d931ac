"""The public answer cache follows writes to the new boundaries tables (see
migrations/gis_portal/0005_load2_data_generation.py): an adjustment, a party, a document
or an inspection participant changes what the public pages may show."""

from django.db import migrations

TABLES = (
    "boundaries_boundarydocument",
    "boundaries_lineparty",
    "boundaries_inspectionparticipant",
    "boundaries_divisionadjustment",
    "boundaries_adjustmentarea",
)
ATTACH = """
CREATE TRIGGER gis_portal_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gis_portal_data_changed();
"""
DETACH = "DROP TRIGGER IF EXISTS gis_portal_data_changed ON {table};"


class Migration(migrations.Migration):
    dependencies = [
        ("boundaries", "0004_townships_neighbours_adjustments"),
        ("gis_portal", "0005_load2_data_generation"),
    ]

    operations = [
        migrations.RunSQL(
            "".join(ATTACH.format(table=t) for t in TABLES),
            "".join(DETACH.format(table=t) for t in TABLES),
        )
    ]
