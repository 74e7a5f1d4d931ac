"""Reading the siting CSVs (no database): every refusal names the file, the line and the cell."""

from __future__ import annotations

import pytest

from facilities.siting.core import SitingInputError
from facilities.siting_io import read_points


def test_points_and_weights_are_read():
    table = read_points(
        "id,x,y,weight\na,130.3,47.3,2\nb,130.4,47.4,\n",
        label="需求点",
        value_column="weight",
        required=False,
    )
    assert table.ids == ["a", "b"]
    assert table.xy.tolist() == [[130.3, 47.3], [130.4, 47.4]]
    assert table.values is not None and table.values[0] == 2.0


def test_a_short_row_names_the_missing_cell():
    with pytest.raises(SitingInputError, match="需求点第 3 行：缺少 y"):
        read_points(
            "id,x,y\na,130.3,47.3\nb,130.4\n", label="需求点", value_column=None, required=False
        )


def test_a_non_number_names_the_cell():
    with pytest.raises(SitingInputError, match="第 2 行：weight 不是数字"):
        read_points(
            "id,x,y,weight\na,130.3,47.3,many\n",
            label="需求点",
            value_column="weight",
            required=True,
        )
