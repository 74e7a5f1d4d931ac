"""The consistency rules, without a database."""

from __future__ import annotations

from datetime import date

from placenames.addresses.checks import (
    PlateFacts,
    SignFacts,
    StreetFacts,
    check_plates,
    check_signs,
)

STREET = StreetFacts(id=1, name="新华路", odd_side="right")


def plate(pid, number, chainage, side, *, sub=0, offset=10.0, name="新华路"):
    return PlateFacts(pid, 1, number, sub, name, chainage, side, offset)


def rules_of(findings):
    return sorted((f.rule, f.object_id) for f in findings)


def test_a_clean_street_has_no_findings():
    plates = [plate(i, 2 * i + 1, 10.0 * i, "right") for i in range(10)]
    plates += [plate(100 + i, 2 * i + 2, 10.0 * i, "left") for i in range(10)]
    plates.append(plate(50, 3, 15.0, "right", sub=1))  # 3号之一 between 3 and 5
    assert check_plates(STREET, plates) == []


def test_duplicates_are_reported_on_both_plates():
    findings = check_plates(STREET, [plate(1, 5, 10, "right"), plate(2, 5, 20, "right")])
    assert rules_of(findings) == [("duplicate_number", 1), ("duplicate_number", 2)]
    assert "共有 2 块" in findings[0].message


def test_an_odd_number_on_the_even_side_is_reported():
    findings = check_plates(STREET, [plate(1, 7, 10, "left")])
    assert rules_of(findings) == [("wrong_side", 1)]
    assert "应在右侧" in findings[0].message


def test_a_swap_flags_just_the_two_swapped_plates():
    numbers = [1, 3, 11, 7, 9, 5, 13, 15]
    plates = [plate(i, n, 10.0 * i, "right") for i, n in enumerate(numbers)]
    findings = check_plates(STREET, plates)
    assert {f.rule for f in findings} == {"decreasing"}
    assert len(findings) == 2
    assert {plates[f.object_id].number for f in findings} <= {11, 5, 7, 9}


def test_plates_too_far_and_old_names_are_reported():
    far = plate(1, 1, 10, "right", offset=120.0)
    old = plate(2, 3, 20, "right", name="红卫路")
    findings = check_plates(STREET, [far, old], max_distance_m=50)
    assert rules_of(findings) == [("name_mismatch", 2), ("too_far", 1)]


def test_the_archive_name_wins_over_the_street_record():
    street = StreetFacts(id=1, name="新华路", odd_side="right", archive_name="新华大街")
    findings = check_plates(street, [plate(1, 1, 10, "right")])
    assert rules_of(findings) == [("name_mismatch", 1)]


def test_signs_of_renamed_streets_and_overdue_inspections():
    street = StreetFacts(
        id=1, name="前进路", odd_side="right", former_names=(("红卫路", date(2024, 8, 12)),)
    )
    signs = [
        SignFacts(1, 1, "红卫路", date(2020, 1, 1), date(2026, 6, 1)),
        SignFacts(2, 1, "前进路", date(2024, 9, 1), date(2024, 9, 1)),
        SignFacts(3, 1, "前进路", date(2024, 9, 1), date(2026, 6, 1)),
    ]
    findings = check_signs(street, signs, as_of=date(2026, 11, 29), inspection_interval_days=365)
    assert rules_of(findings) == [("inspection_overdue", 2), ("sign_not_replaced", 1)]
    assert "曾用名「红卫路」" in findings[0].message
