"""Pages of the editor, at the site root."""

from django.urls import path

from gis_portal.editing import views

urlpatterns = [
    path("editor/", views.editor_page, name="editor"),
    path("announcements/", views.announcement_list_page, name="announcements"),
    path("editor/requests/", views.request_list_page, name="change-requests"),
    path("editor/requests/<int:pk>/", views.request_detail_page, name="change-request"),
    path(
        "editor/requests/documents/<int:pk>",
        views.request_document_download,
        name="change-request-document",
    ),
]
