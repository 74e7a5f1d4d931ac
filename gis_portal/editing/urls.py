"""The editor's API under /api/v1/editing/."""

from django.urls import path

from gis_portal.editing import api

urlpatterns = [
    path("<str:layer>/<int:pk>/history", api.HistoryView.as_view(), name="editing-history"),
    path("<str:layer>/<int:pk>/restore", api.RestoreView.as_view(), name="editing-restore"),
]
