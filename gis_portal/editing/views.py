"""Pages of the editor (/editor/, signed-in) and the public announcements list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gis_portal.editing import change_services, selectors
from gis_portal.editing.districts import editor_district_choice
from gis_portal.editing.layers import LAYERS
from gis_portal.editing.models import (
    REQUIRED_DOCUMENTS,
    ChangeKind,
    ChangeStatus,
    DocumentKind,
)
from gis_portal.editing.permissions import user_may_edit
from gis_portal.errors import DomainError


@require_GET
def announcement_list_page(request: HttpRequest) -> HttpResponse:
    """地名公告: published namings, renamings and abolitions with the required fields."""
    rows = selectors.announcement_list()[:500]
    return render(request, "editing/announcements.html", {"announcements": rows})


@login_required
@require_GET
def editor_page(request: HttpRequest) -> HttpResponse:
    """The map editor: the layers the user may see, which of them they may edit (the first
    editable one is picked, or ``?layer=``), the districts of their scope (``?county=`` picks
    one) and the feature to open on (``?feature=``)."""
    layers = [
        {
            "key": layer.key,
            "label": layer.label,
            "geometry": layer.geometry_kind,
            "editable": user_may_edit(request.user, layer.editor_roles),
        }
        for layer in LAYERS.values()
        if layer.in_editor
    ]
    picked = next((layer for layer in layers if layer["editable"]), layers[0] if layers else None)
    # ?layer=&feature= opens the editor on one feature (the missing-signs list links here);
    # an unknown layer or a non-numeric id is ignored, the editor then opens as usual.
    focus_layer = next((x for x in layers if x["key"] == request.GET.get("layer")), None)
    focus_id = request.GET.get("feature", "")
    if focus_layer and focus_id.isdigit():
        picked = focus_layer
    else:
        focus_id = ""
    choice = editor_district_choice(request.user, request.GET.get("county"))
    return render(
        request,
        "editing/editor.html",
        {
            "layers": layers,
            "picked": picked["key"] if picked else "",
            "county": choice.county,
            "districts": choice.districts,
            "district_refusal": choice.refusal,
            "focus_id": focus_id,
        },
    )


@login_required
@require_GET
def request_list_page(request: HttpRequest) -> HttpResponse:
    """变更申请: the requests the user may read, filtered by status and kind (bad filters
    named in Chinese)."""
    status = request.GET.get("status") or ""
    kind = request.GET.get("kind") or ""
    errors = []
    if status and status not in ChangeStatus.values:
        errors.append(f"状态“{status[:20]}”不存在，已显示全部状态")
        status = ""
    if kind and kind not in ChangeKind.values:
        errors.append(f"类型“{kind[:20]}”不存在，已显示全部类型")
        kind = ""
    unknown = sorted(set(request.GET) - {"status", "kind"})
    if unknown:
        errors.append(f"不支持的筛选条件：{'、'.join(unknown)[:60]}")
    rows = selectors.change_request_list(
        user=request.user, status=status or None, kind=kind or None
    )
    return render(
        request,
        "editing/requests.html",
        {
            "requests": rows,
            "statuses": ChangeStatus.choices,
            "kinds": ChangeKind.choices,
            "status": status,
            "kind": kind,
            "errors": errors,
        },
    )


@login_required
@require_GET
def request_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: the proposal as a diff and on a small map, documents, decisions."""
    try:
        detail = selectors.change_request_detail(request_id=pk, user=request.user)
    except DomainError as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "editing/requests_detail.html",
        {
            "detail": detail,
            "cr": detail.request,
            "may_decide": change_services.user_may_decide(request.user),
            "document_kinds": DocumentKind.choices,
            "required": [
                DocumentKind(k).label for k in REQUIRED_DOCUMENTS.get(detail.request.kind, ())
            ],
        },
    )


@login_required
@require_GET
def request_document_download(request: HttpRequest, pk: int) -> FileResponse:
    """Download an attached document: its request's submitter, those who decide requests
    and the officers whose scope covers its target; 404 for anyone else."""
    try:
        doc = selectors.change_document_for(document_id=pk, user=request.user)
    except DomainError as exc:
        raise Http404(exc.message) from None
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404("材料文件已丢失") from None
    name = doc.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)
