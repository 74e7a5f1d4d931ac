"""The portal's URLconf and error handlers, plus views that fail, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from gis_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from gis_portal.urls import urlpatterns as portal_urlpatterns


class Boom(Exception):
    """A bug in a view."""


def broken(request):
    raise Boom("secret detail that must not reach the user")


def forbidden(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("bad request")


FAILING = {"boom/": broken, "forbidden/": forbidden, "suspicious/": suspicious}

urlpatterns = [
    *[path(route, view) for route, view in FAILING.items()],
    *[path(f"api/v1/test/{route}", view) for route, view in FAILING.items()],
    *portal_urlpatterns,
]
