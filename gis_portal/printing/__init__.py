"""Printed standard maps (行政区划图, 城区图, a district's place-name map) as vector PDF.

- ``sheets``: the sheets, papers and scales as data and the order check (pure).
- ``render``: the drawing (matplotlib, pure; CJK font embedded).
- ``services``: reads the layers through the catalogue and prints an order.
- ``views``: the order page and its download; ``manage.py print_map`` the command.
"""
