from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gis_portal import errors, views
from gis_portal.demo_accounts import LoginForm
from gis_portal.exports import views as export_views
from gis_portal.ogc import views as ogc_views
from gis_portal.printing import views as print_views

# Each app owns its API routes (urls.py, under /api/v1/) and its pages (page_urls.py).
api_v1 = [
    path("", include("boundaries.urls")),
    path("", include("placenames.urls")),
    path("", include("placenames.addresses.urls")),
    path("", include("facilities.urls")),
    path("editing/", include("gis_portal.editing.urls")),
    path("", include("gis_portal.catalogue.urls")),
    path("", include("gis_portal.exports.urls")),
]

urlpatterns = [
    path("", views.public_map, name="public-map"),
    path("healthz", views.healthz, name="healthz"),
    path("maps/print/", print_views.print_page, name="print-map"),
    # The base map and OGC API – Tiles (/maps/…, /ogc/tileMatrixSets…, /ogc/collections/<key>/tiles…).
    path("", include("gis_portal.maps.urls")),
    path("data/export", export_views.layer_export_download, name="layer-export-download"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # OGC API – Features for other departments' GIS clients (gis_portal/ogc/).
    path("ogc", ogc_views.LandingAliasView.as_view()),
    path("ogc/", include("gis_portal.ogc.urls")),
    # The split view serves its initialiser as a separate script, so CSP needs no inline JS.
    # Swagger UI still sets inline styles and draws its icons from data: URIs (neither
    # reaches another host), so that one page gets those two allowances.
    path(
        "api/docs/",
        csp_update({"style-src": ["'self'", "'unsafe-inline'"], "img-src": ["'self'", "data:"]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("boundaries.page_urls")),
    path("", include("placenames.page_urls")),
    path("", include("placenames.addresses.page_urls")),
    path("", include("facilities.page_urls")),
    path("", include("gis_portal.editing.page_urls")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
