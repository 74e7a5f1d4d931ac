"""What each figure means: one label and one definition per figure (no Django).

The planner page, the API's schema and the reports take their labels from here, so one word
never names two different counts. "已服务" (the coverage now) and "方案基准服务人数" (what a
siting run starts from) are different figures: the run counts facilities under construction
as committed and measures within its own radius, so the two are not expected to agree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    label: str
    definition: str


FIGURES = {
    "served": Figure(
        "已服务",
        "现状：运营中的设施在服务标准距离内（按标准的距离类型）、按登记容量分配到的服务对象人数",
    ),
    "covered": Figure("可达人数", "运营中的设施在服务标准距离内可达的服务对象人数（不计容量）"),
    "overflow": Figure("容量溢出", "可达但超出设施容量的人数（可达人数 − 已服务）"),
    "unit_rule": Figure("配置单元覆盖", "有运营设施（计入配置单元规则的类型）的单元数 / 单元总数"),
    "served_before": Figure(
        "方案基准服务人数",
        "选址计算的起点：现有设施（运营及在建）在方案服务半径内服务到的人数；"
        "填写每站容量时按容量。与现状“已服务”（仅运营设施、标准服务距离）口径不同",
    ),
    "served_after": Figure("方案服务人数", "现有设施加方案新增站点，口径同方案基准服务人数"),
}


def figure_labels() -> dict[str, dict[str, str]]:
    """Return {key: {label, definition}} for the page's script."""
    return {k: {"label": f.label, "definition": f.definition} for k, f in FIGURES.items()}
