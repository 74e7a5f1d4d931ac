"""The data generation behind the public answer cache (gis_portal/public_cache.py).

Every statement that writes one of DATA_TABLES notes its transaction in
gis_portal_datachange (once per transaction: the insert does nothing if the row is there);
that insert queues a deferred constraint trigger, which at commit bumps the one row of
gis_portal_datageneration and removes the note. So the bump is committed with the data it
announces (no reader can see the new generation with the old data, or the reverse), a
million-row COPY costs one bump, and the generation row is locked only while its
transaction commits — a long import does not hold up other writers. A rolled-back
transaction bumps nothing. Plain triggers, not pgtrigger's: ``pgtrigger.ignore`` (bulk
loads) must not switch them off.
"""

from django.db import migrations

# Every table of the reference apps except their history (written with the rows it records)
# and the tile cache (written by reads). tests/portal/test_public_cache.py checks that every
# table of these apps is here or deliberately left out.
DATA_TABLES = (
    "placenames_geonamesplace",
    "placenames_placecategory",
    "placenames_placename",
    "placenames_placename_other_divisions",
    "placenames_placenamealias",
    "addresses_street",
    "addresses_streetformername",
    "addresses_streetsign",
    "addresses_signinspection",
    "addresses_doorplate",
    "boundaries_administrativearea",
    "boundaries_areapopulation",
    "boundaries_areapiece",
    "boundaries_boundaryversion",
    "boundaries_versionedareageometry",
    "boundaries_transformationparameterset",
    "boundaries_boundaryline",
    "boundaries_boundarymarker",
    "boundaries_conversionrun",
    "boundaries_jointinspection",
    "boundaries_markerfinding",
)

CREATE = """
CREATE TABLE gis_portal_datageneration (
    id smallint PRIMARY KEY CHECK (id = 1),
    generation bigint NOT NULL,
    changed_at timestamptz NOT NULL
);
INSERT INTO gis_portal_datageneration VALUES (1, 1, clock_timestamp());
CREATE TABLE gis_portal_datachange (txid bigint PRIMARY KEY);

CREATE FUNCTION gis_portal_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO gis_portal_datachange (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION gis_portal_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO gis_portal_datageneration AS g VALUES (1, 1, clock_timestamp())
        ON CONFLICT (id) DO UPDATE SET generation = g.generation + 1, changed_at = clock_timestamp();
    DELETE FROM gis_portal_datachange WHERE txid = NEW.txid;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER gis_portal_generation_bump AFTER INSERT ON gis_portal_datachange
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gis_portal_generation_bump();
"""
ATTACH = """
CREATE TRIGGER gis_portal_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gis_portal_data_changed();
"""
DROP = """
DROP FUNCTION gis_portal_data_changed() CASCADE;
DROP TABLE gis_portal_datachange;
DROP FUNCTION gis_portal_generation_bump();
DROP TABLE gis_portal_datageneration;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("gis_portal", "0004_throttle_counter"),
        ("placenames", "0008_history_trigger_restorable"),
        ("addresses", "0003_history_triggers_restorable"),
        ("boundaries", "0003_history_and_versions"),
    ]

    operations = [
        migrations.RunSQL(
            CREATE + "".join(ATTACH.format(table=t) for t in DATA_TABLES), reverse_sql=DROP
        ),
    ]
