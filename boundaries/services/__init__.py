"""Writes of the boundaries app: one module per entity or flow."""
