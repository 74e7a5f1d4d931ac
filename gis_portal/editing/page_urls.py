"""Pages of the editor, at the site root."""

from django.urls import path

from gis_portal.editing import views

urlpatterns = [
    path("editor/", views.editor_page, name="editor"),
    path("announcements/", views.announcement_list_page, name="announcements"),
]
