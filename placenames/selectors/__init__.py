"""Reads of the place-name archive: names, culture, signs."""
