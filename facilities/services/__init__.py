"""Writes and runs of the facilities app, one module per concern."""
