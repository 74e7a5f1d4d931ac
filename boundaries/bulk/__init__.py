"""Bulk import of boundary lines and markers: rows, geometry, checks, staging, write."""
