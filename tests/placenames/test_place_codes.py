"""A new name's code is allocated under one lock per code prefix: the editor's single name
and a bulk import take the same lock for the same prefix (so they never pick one serial
twice), and only the prefixes they allocate in; imports also take the one import lock, so two
imports at once wait for each other instead of deadlocking over prefixes."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from boundaries.models import AdministrativeArea
from placenames.codes import place_code_prefix
from placenames.models import PlaceCategory
from placenames.services.names import PlaceNameInput, place_code_next, placenames_bulk_upsert

pytestmark = pytest.mark.django_db


IMPORT_LOCK = "placename_codes"


def _locked_prefixes(prefixes: list[str]) -> set[str]:
    """Which of ``prefixes`` this session holds the allocation lock of, now."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        held = {row[0] for row in cur.fetchall()}
        cur.execute(
            "SELECT p, (hashtext(p)::bigint & 4294967295) FROM unnest(%s::text[]) AS p",
            [prefixes],
        )
        return {prefix for prefix, key in cur.fetchall() if key in held}


def test_the_editor_and_a_bulk_import_lock_the_prefixes_they_allocate_in(hegang_areas):
    xiangyang = AdministrativeArea.objects.get(code="230402", valid_to__isnull=True)
    gongnong = AdministrativeArea.objects.get(code="230403", valid_to__isnull=True)
    bridge = PlaceCategory.objects.get(code="23400")
    bridge_in_xiangyang = place_code_prefix(division_code="230402", category_code="23400")
    bridge_in_gongnong = place_code_prefix(division_code="230403", category_code="23400")
    both = [bridge_in_xiangyang, bridge_in_gongnong]

    with transaction.atomic():
        code = place_code_next(division_code="230402", category_code="23400")
        assert code.startswith(bridge_in_xiangyang)
        assert _locked_prefixes([*both, IMPORT_LOCK]) == {bridge_in_xiangyang}

    records = [
        PlaceNameInput(standard_name=name, category_code="23400", division_code=division)
        for name, division in (("松鹤桥", "230402"), ("团结桥", "230403"))
    ]
    with transaction.atomic():
        placenames_bulk_upsert(
            records=records,
            categories={"23400": bridge},
            divisions={"230402": xiangyang, "230403": gongnong},
        )
        assert _locked_prefixes([*both, IMPORT_LOCK]) == {*both, IMPORT_LOCK}
    assert {r.place_code[:14] for r in records} == set(both)
