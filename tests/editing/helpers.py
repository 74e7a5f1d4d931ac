"""Helpers shared by the editor's tests: feature addresses, history diffs, change requests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gis_portal.editing import change_services
from gis_portal.editing.models import ChangeDocument, ChangeRequest

# Every layer, in app order ("areas" is edited only by division adjustments, by change
# requests, never in the editor).
LAYER_KEYS = [
    "areas",
    "boundary-lines",
    "boundary-markers",
    "placenames",
    "streets",
    "street-signs",
    "door-plates",
    "facilities",
]


def url(layer: str, pk: int) -> str:
    """Return the editor API address of feature ``pk`` on ``layer``."""
    return f"/api/v1/editing/{layer}/{pk}"


def stored(change: dict) -> dict:
    """The stored values of a history diff entry (it also carries the label and the shown values)."""
    return {"before": change["before"], "after": change["after"]}


def request_submit(user, layer: str, proposed: dict, *, reason: str, target=None) -> ChangeRequest:
    """Submit ``proposed`` on ``layer``: a creation without a target, else its update."""
    return change_services.change_request_submit(
        layer_key=layer,
        target_id=None if target is None else target.pk,
        action="create" if target is None else "update",
        proposed=proposed,
        reason=reason,
        user=user,
    )


def document_attach(
    request_id: int,
    user,
    kind: str,
    *,
    title: str | None = None,
    filename: str | None = None,
    content: bytes = b"%PDF-1.4 demo",
) -> ChangeDocument:
    """Attach a PDF of ``kind`` (named and titled after the kind unless told) to a request."""
    return change_services.change_document_attach(
        request_id=request_id,
        kind=kind,
        file=SimpleUploadedFile(filename or f"{kind}.pdf", content),
        title=kind if title is None else title,
        user=user,
    )
