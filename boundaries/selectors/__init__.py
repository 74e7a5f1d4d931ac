"""Reads of the boundaries app: one module per entity."""
