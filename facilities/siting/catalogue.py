"""The siting models as one table: solver, parameters and label of each (no Django).

The API, the ``solve_siting`` command and the planner page read their choices here, and the
services check a request's parameters against it: adding a model is adding a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from facilities.siting.core import SitingResult
from facilities.siting.cover import solve_lscp, solve_mclp
from facilities.siting.median import solve_pcenter, solve_pmedian

# How a model treats a parameter.
NEEDED = "needed"  # the solver takes it; a request without it is refused
ACCEPTED = "accepted"  # optional; radius_m then only reports the demand covered within it
REFUSED = "refused"  # meaningless for the model; a request with it is refused


@dataclass(frozen=True)
class SitingModel:
    name: str
    label: str  # as the planner page shows it
    solver: Callable[..., SitingResult]
    p: str
    radius_m: str
    # A radius left out defaults to the programme's service distance (the API; the command,
    # which has no programme, must be given one).
    radius_from_standard: bool


SITING_MODELS: dict[str, SitingModel] = {
    m.name: m
    for m in (
        SitingModel(
            "lscp",
            "最少站点全覆盖（LSCP）",
            solve_lscp,
            p=REFUSED,
            radius_m=NEEDED,
            radius_from_standard=True,
        ),
        SitingModel(
            "mclp",
            "最大覆盖（MCLP）",
            solve_mclp,
            p=NEEDED,
            radius_m=NEEDED,
            radius_from_standard=True,
        ),
        SitingModel(
            "pmedian",
            "总距离最小（p-中位）",
            solve_pmedian,
            p=NEEDED,
            radius_m=ACCEPTED,
            radius_from_standard=False,
        ),
        SitingModel(
            "pcenter",
            "最远距离最小（p-中心）",
            solve_pcenter,
            p=NEEDED,
            radius_m=ACCEPTED,
            radius_from_standard=False,
        ),
    )
}
MODELS = tuple(SITING_MODELS)

# How a result's status and a request's parameters read for staff (the page, the run's
# message, the API's labels): never the solver's own words.
STATUS_LABELS = {"optimal": "已求得最优解", "time_limit": "达到时间上限（当前最好方案）"}
PARAMETER_LABELS = {"p": "新增站点数", "radius_m": "服务半径", "time_limit": "时间限制"}


def status_label(status: str) -> str:
    """Return the staff's words for a result status (the status itself if unknown)."""
    return STATUS_LABELS.get(status, "计算结束")


def model_label(name: str) -> str:
    return SITING_MODELS[name].label if name in SITING_MODELS else "未知模型"


DEFAULT_MODEL = "mclp"  # preselected on the planner page
