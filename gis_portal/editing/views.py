"""Pages of the editor (/editor/, signed-in) and the public announcements list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gis_portal.editing import selectors
from gis_portal.editing.layers import LAYERS
from gis_portal.editing.permissions import user_may_edit


@require_GET
def announcement_list_page(request: HttpRequest) -> HttpResponse:
    """地名公告: published namings, renamings and abolitions with the required fields."""
    rows = selectors.announcement_list()[:500]
    return render(request, "editing/announcements.html", {"announcements": rows})


@login_required
@require_GET
def editor_page(request: HttpRequest) -> HttpResponse:
    """The map editor: the layers the user may see, and which of them they may edit."""
    layers = [
        {
            "key": layer.key,
            "label": layer.label,
            "geometry": layer.geometry_kind,
            "editable": user_may_edit(request.user, layer.editor_roles),
        }
        for layer in LAYERS.values()
    ]
    return render(request, "editing/editor.html", {"layers": layers})
