"""File importers of the boundaries app (survey files, their CRS)."""
