"""HTML pages of this app (included at the site root)."""

from django.urls import include, path

from facilities import views

pages = [
    path("", views.planner, name="planner"),
    path("report.html", views.report_download, name="report-html"),
    path("report.xlsx", views.report_excel, name="report-xlsx"),
    path("registry.<str:fmt>", views.registry_export, name="registry-export"),
    path("standards.xlsx", views.standards_export, name="standards-xlsx"),
    path(
        "scenario/<int:pk>/allocation.xlsx",
        views.scenario_allocation,
        name="scenario-allocation",
    ),
]

urlpatterns = [path("facilities/", include((pages, "facilities")))]
