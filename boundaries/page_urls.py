"""HTML pages of this app (included at the site root)."""

from django.urls import include, path

from boundaries import division_views, views

boundary_pages = [
    path("", views.index, name="index"),
    path("topology/", views.topology_page, name="topology"),
    path("townships/", division_views.township_page, name="townships"),
    path("adjustments/", division_views.adjustment_page, name="adjustments"),
    path("lines/<str:code>/", division_views.line_record_page, name="line-record"),
    path("parameters/", views.parameter_list, name="parameters"),
    path("parameters/<int:pk>/", views.parameter_detail, name="parameter-detail"),
    path("parameters/<int:pk>/points.csv", views.parameter_points_csv, name="parameter-points"),
    path("conversions/<int:pk>/", views.conversion_report, name="conversion-report"),
    path("inspections/", views.inspections_due, name="inspections"),
    path("lines/<str:code>/inspect/", views.inspection_new, name="inspection-new"),
    path("markers/<str:number>/", views.marker_detail, name="marker-detail"),
    path("import/", views.survey_import_page, name="import"),
    path("export/<str:layer>.<str:fmt>", views.export_download, name="export"),
]

urlpatterns = [
    path("boundaries/", include((boundary_pages, "boundaries"))),
]
