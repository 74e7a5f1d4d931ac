"""Location models for siting: LSCP, MCLP, p-median and p-center on HiGHS (no Django).

See ``core`` for the conventions (metres, existing sites fixed open, merged rows, status
and gap read from the solver).
"""

from __future__ import annotations

from facilities.siting.capacity import served_within_capacity
from facilities.siting.catalogue import MODELS, SITING_MODELS, SitingModel
from facilities.siting.core import (
    SitingInputError,
    SitingInterrupted,
    SitingProblem,
    SitingResult,
    coverage_matrix,
    duplicate_positions,
    nearest_open_distance,
    validate_problem,
)
from facilities.siting.cover import solve_lscp, solve_mclp, unreachable_demand
from facilities.siting.median import solve_pcenter, solve_pmedian


def solve(model: str, problem: SitingProblem, **kwargs) -> SitingResult:
    """Dispatch to the solver of ``model`` (one of MODELS)."""
    if model not in SITING_MODELS:
        raise SitingInputError(f"未知模型 {model!r}；可用：{', '.join(MODELS)}")
    return SITING_MODELS[model].solver(problem, **kwargs)


__all__ = [
    "MODELS",
    "SITING_MODELS",
    "SitingInputError",
    "SitingInterrupted",
    "SitingModel",
    "SitingProblem",
    "SitingResult",
    "coverage_matrix",
    "duplicate_positions",
    "nearest_open_distance",
    "served_within_capacity",
    "solve",
    "solve_lscp",
    "solve_mclp",
    "solve_pcenter",
    "solve_pmedian",
    "unreachable_demand",
    "validate_problem",
]
