"""The base map: vector tiles of every mappable catalogue layer, one style, TileJSON and
OGC API – Tiles (see docs/decisions/0008-base-map-style.md)."""
