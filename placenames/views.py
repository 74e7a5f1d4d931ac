"""HTML pages of the place-name archive."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def placename_lookup(request: HttpRequest) -> HttpResponse:
    """Render the public place-name lookup page (search, detail, what-is-here)."""
    return render(request, "placenames/lookup.html")
