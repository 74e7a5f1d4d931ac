"""PostGIS database backend of the portal (settings ENGINE "gis_portal.db_backend")."""
