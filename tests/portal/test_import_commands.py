"""Every import command is an ImportCommand: the file and the account are checked before
anything is read, and a refused file is told with its reason and its row errors."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gis_portal.errors import DomainError
from gis_portal.importing.commands import refusal_text

# Each import command with the arguments that come before FILE.
COMMANDS = [
    ("import_placenames",),
    ("import_addresses", "plates"),
    ("import_boundaries", "areas"),
    ("import_facilities",),
    ("import_indicators",),
    ("import_standards",),
    ("import_demand",),
]


@pytest.mark.django_db
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_missing_file_is_named_before_anything_runs(command, tmp_path):
    missing = tmp_path / "无此文件.xlsx"
    with pytest.raises(CommandError, match=f"找不到文件 {missing}"):
        call_command(*command, str(missing), "--dry-run")


@pytest.mark.django_db
@pytest.mark.parametrize("command", COMMANDS[:4], ids=lambda c: c[0])  # those with --user
def test_an_unknown_importer_is_refused_by_name(command, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("名称\n松鹤桥\n", encoding="utf-8")
    with pytest.raises(CommandError, match="用户 nobody 不存在或已停用"):
        call_command(*command, str(path), "--user", "nobody")


class _Refused(DomainError):
    code = "refused"


def test_a_refusal_names_each_row_error_on_its_own_line():
    exc = _Refused(
        "导入被拒绝：有 2 处错误，未写入任何数据",
        errors=[
            {"sheet": "设施类型", "line": 4, "column": "类型", "reason": "未知的服务项目"},
            {"line": 7, "column": "年份", "reason": "不是整数"},
            "第 9 行：坐标超出鹤岗市范围",
        ],
    )
    assert refusal_text(exc).splitlines() == [
        "导入被拒绝：有 2 处错误，未写入任何数据",
        "设施类型 第 4 行 [类型]：未知的服务项目",
        "第 7 行 [年份]：不是整数",
        "第 9 行：坐标超出鹤岗市范围",
    ]
