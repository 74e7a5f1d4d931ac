"""The layer catalogue (ground floor): one declaration per layer that every consumer reads.

- ``spec``: what a layer declares (pure dataclasses: fields, source SQL, tiles, style, edit).
- ``registry``: ``catalogue_register`` (called by each app's ``layers.py``), discovery at
  start-up, and who may read which layer.
- ``sql``: the SQL pieces built from the declarations (pure).
- ``selectors``: the layer descriptions and the one items query.
- ``api`` / ``urls``: GET /api/v1/layers, /layers/<key>, /layers/<key>/features.
"""
