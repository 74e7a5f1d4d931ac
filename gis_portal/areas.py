"""The administrative areas as the ground floor sees them: through a setting, not an import.

Edit scopes, the editor's per-county loads and the accounts name districts. The model that
holds them is named by ``settings.AREA_MODEL`` (``"app_label.Model"``, as ``AUTH_USER_MODEL``
names the user model) and reached with ``area_model()``; the fields the ground floor reads
(``code``, ``level``, ``parent``, ``valid_to``, ``geom_4490``, and its pieces table for
the indexed scope test) are that model's contract.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models

# The level value of a county-level area (the editor loads, and scopes name, counties).
COUNTY_LEVEL = "county"


def area_model() -> type[models.Model]:
    return apps.get_model(settings.AREA_MODEL)


def current_areas():
    """The areas in force today (a queryset)."""
    return area_model().objects.filter(valid_to__isnull=True)
