"""HTML pages of this app (included at the site root)."""

from django.urls import path

from placenames import culture_views, views

urlpatterns = [
    path("placenames/", views.placename_lookup, name="placename-lookup"),
    path("placenames/officer/", views.placename_officer, name="placename-officer"),
    path("placenames/signs/", culture_views.sign_coverage_page, name="placename-signs"),
    path("placenames/culture/", culture_views.culture_staff_page, name="placename-culture-staff"),
    path("culture/", culture_views.culture_index, name="culture-index"),
    path("culture/district/<str:code>/", culture_views.culture_district, name="culture-district"),
    path("culture/media/<int:pk>", culture_views.culture_media_file, name="culture-media"),
    path(
        "culture/media/<int:pk>/thumb",
        culture_views.culture_media_file,
        {"variant": "thumb"},
        name="culture-media-thumb",
    ),
    path("culture/<str:place_code>/", culture_views.culture_name, name="culture-name"),
]
