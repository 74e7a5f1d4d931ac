from django.urls import path

from facilities.api import facilities as api
from facilities.api import indicators as api_indicators

urlpatterns = [
    path("programmes", api.ProgrammeListView.as_view(), name="programme-list"),
    path("facilities", api.FacilityListView.as_view(), name="facility-list"),
    path("coverage", api.CoverageView.as_view(), name="coverage"),
    path("plan-targets", api.PlanTargetsView.as_view(), name="plan-targets"),
    path("siting/runs", api.SitingRunListView.as_view(), name="siting-run-list"),
    path("siting/runs/<int:pk>", api.SitingRunDetailView.as_view(), name="siting-run-detail"),
    path(
        "siting/runs/<int:pk>/cancel", api.SitingRunCancelView.as_view(), name="siting-run-cancel"
    ),
    path("scenarios", api.ScenarioListView.as_view(), name="scenario-list"),
    path("indicators", api_indicators.IndicatorListView.as_view(), name="indicator-list"),
    path(
        "indicator-values",
        api_indicators.IndicatorValueListView.as_view(),
        name="indicator-value-list",
    ),
    path(
        "indicator-values/import",
        api_indicators.IndicatorImportView.as_view(),
        name="indicator-value-import",
    ),
    path("standards/import", api_indicators.StandardsImportView.as_view(), name="standards-import"),
    path(
        "indicator-values/<int:pk>/history",
        api_indicators.IndicatorValueHistoryView.as_view(),
        name="indicator-value-history",
    ),
    path("scenarios/<int:pk>", api.ScenarioDetailView.as_view(), name="scenario-detail"),
]
