"""The base-map tile cache (gis_portal/maps/tiles.py) and the triggers that keep it true.

Why triggers, and these: every write path (the editor, the admin, the APIs, bulk imports,
raw SQL, a restore from history) must make the tiles it changes stale, so the note is taken
by the database, not by each service (the door-plate tiles of the addresses app are
invalidated by calls in six places, and an edit through any other path stays on the map).
A statement trigger with transition tables (not a row trigger) sees every row a statement
changed at once: it notes the boxes of the old and new geometries, merged per ~1 km cell
(0.01°), so a million-row COPY notes at most a few thousand boxes instead of a million.
A deferred constraint trigger then deletes, when the writing transaction commits, the
cached tiles whose buffered envelope meets a noted box.

Why a lock: a tile rendered from a snapshot taken before a writer commits, but stored
after the writer's delete, would be stale for good. Renderers hold a shared advisory lock
from before their render's snapshot until their tile is stored; the writer's commit-time
delete takes the same lock exclusively, so it waits for renders in flight (and deletes
what they stored), and renders started during the delete wait for the commit (and see
it). Writers hold it only while they commit; readers of cached tiles never take it.

A table watched "whole" (a joined table whose columns a tile carries, e.g. a place-name
category) notes the whole world. The list is gis_portal.maps.watch.watched_tables() of the
catalogue; tests/maps/test_basemap_tiles.py checks the installed triggers against it.
"""

from django.db import migrations

BASEMAP_LOCK = 7_310_014  # pg advisory lock key of the tile cache (any constant, unique here)

WATCHED = {
    "boundaries_administrativearea": ("geom_4490",),
    "boundaries_boundaryline": ("geom_4490",),
    "boundaries_boundarymarker": ("geom_4490",),
    "placenames_placename": ("geom_4490", "point_4490"),
    "placenames_placecategory": (),
    "addresses_street": ("geom_4490",),
    "addresses_streetsign": ("point_4490",),
    "addresses_doorplate": ("point_4490",),
    "facilities_facility": ("position_4490",),
    "facilities_programme": (),
}

CREATE = f"""
CREATE TABLE gis_portal_basemaptile (
    id bigserial PRIMARY KEY,
    audience text NOT NULL,
    z smallint NOT NULL,
    x integer NOT NULL,
    y integer NOT NULL,
    data bytea NOT NULL,
    env_3857 geometry(Polygon, 3857) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (audience, z, x, y)
);
CREATE INDEX gis_portal_basemaptile_env ON gis_portal_basemaptile USING gist (env_3857);

CREATE TABLE gis_portal_basemapdirty (
    id bigserial PRIMARY KEY,
    env_3857 geometry(Polygon, 3857) NOT NULL
);

CREATE FUNCTION gis_portal_basemap_note() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    boxes text := '';
    col text;
BEGIN
    IF TG_OP = 'TRUNCATE' OR TG_NARGS = 0 THEN
        INSERT INTO gis_portal_basemapdirty (env_3857)
            VALUES (ST_MakeEnvelope(-20037509, -20037509, 20037509, 20037509, 3857));
        RETURN NULL;
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            boxes := boxes || CASE WHEN boxes = '' THEN '' ELSE ' UNION ALL ' END
                || format('SELECT %I::geometry AS g FROM old_rows WHERE %I IS NOT NULL', col, col);
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            boxes := boxes || CASE WHEN boxes = '' THEN '' ELSE ' UNION ALL ' END
                || format('SELECT %I::geometry AS g FROM new_rows WHERE %I IS NOT NULL', col, col);
        END IF;
    END LOOP;
    -- One box per ~1 km cell of the changed geometries' centres, clamped to Web Mercator.
    EXECUTE 'INSERT INTO gis_portal_basemapdirty (env_3857) '
        || 'SELECT ST_Transform(ST_SetSRID(ST_MakeEnvelope(greatest(ST_XMin(e), -180), '
        || 'greatest(ST_YMin(e), -85), least(ST_XMax(e), 180), least(ST_YMax(e), 85)), 4490), 3857) '
        || 'FROM (SELECT ST_Extent(g) AS e FROM (' || boxes || ') c '
        || 'GROUP BY floor(ST_X(ST_Centroid(ST_Envelope(g))) * 100), '
        || 'floor(ST_Y(ST_Centroid(ST_Envelope(g))) * 100)) s';
    RETURN NULL;
END $$;

CREATE FUNCTION gis_portal_basemap_expire() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({BASEMAP_LOCK});
    DELETE FROM gis_portal_basemaptile WHERE env_3857 && NEW.env_3857;
    DELETE FROM gis_portal_basemapdirty WHERE id = NEW.id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER gis_portal_basemap_expire AFTER INSERT ON gis_portal_basemapdirty
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gis_portal_basemap_expire();
"""

ATTACH_GEOMETRY = """
CREATE TRIGGER gis_portal_basemap_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gis_portal_basemap_note({args});
CREATE TRIGGER gis_portal_basemap_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gis_portal_basemap_note({args});
CREATE TRIGGER gis_portal_basemap_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gis_portal_basemap_note({args});
CREATE TRIGGER gis_portal_basemap_trunc AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gis_portal_basemap_note();
"""
ATTACH_WHOLE = """
CREATE TRIGGER gis_portal_basemap_any AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION gis_portal_basemap_note();
"""


def attach_sql(table: str, columns: tuple[str, ...]) -> str:
    if not columns:
        return ATTACH_WHOLE.format(table=table)
    return ATTACH_GEOMETRY.format(table=table, args=", ".join(f"'{c}'" for c in columns))


DROP = """
DROP FUNCTION gis_portal_basemap_note() CASCADE;
DROP TABLE gis_portal_basemapdirty;
DROP FUNCTION gis_portal_basemap_expire();
DROP TABLE gis_portal_basemaptile;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("gis_portal", "0005_load2_data_generation"),
        ("placenames", "0008_history_trigger_restorable"),
        ("addresses", "0003_history_triggers_restorable"),
        ("boundaries", "0003_history_and_versions"),
        ("facilities", "0004_demand_source_settlements"),
    ]

    operations = [
        migrations.RunSQL(
            CREATE + "".join(attach_sql(t, c) for t, c in WATCHED.items()), reverse_sql=DROP
        ),
    ]
