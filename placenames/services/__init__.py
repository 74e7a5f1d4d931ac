"""Writes of the place-name archive: names, editor writes, culture."""
