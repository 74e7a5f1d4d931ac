"""Pages of the township level and of division adjustments (乡级区域, 界线档案, 区划调整).

Staff pages: every one needs a signed-in user; writes go through the services, which check
roles and the edit scope. Proposing an adjustment files a change request with its approval
document; it is decided on the change-request pages like every other request.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from boundaries.division_forms import AdjustmentForm, CodeLookupForm, DocumentForm, ParticipantForm
from boundaries.models import AdministrativeArea, JointInspection
from boundaries.record_documents import boundary_document_attach, inspection_participant_add
from boundaries.selectors import divisions as division_selectors
from boundaries.views import topology_context
from gis_portal.accounts import OutsideEditScope
from gis_portal.editing import change_services
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.models import ChangeKind, ChangeRequest, ChangeStatus, DocumentKind
from gis_portal.errors import DomainError
from gis_portal.limits import accepts_upload
from gis_portal.throttles import heavy_work

POLYGON_LABELS = {"demo": "演示边界", "surveyed": "实测边界", "none": "无边界"}


@login_required
@require_GET
@heavy_work("compute")
def township_page(request: HttpRequest) -> HttpResponse:
    """Render the townships by county with their polygon status, and the topology check
    across city, counties and townships."""
    counties = division_selectors.township_overview()
    return render(
        request,
        "boundaries/townships.html",
        {
            "counties": counties,
            "polygon_labels": POLYGON_LABELS,
            "any_demo": any(c["demo"] for c in counties),
            **topology_context(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts_upload
def line_record_page(request: HttpRequest, code: str) -> HttpResponse:
    """One line's record: its parties, documents (upload) and inspections (participants)."""
    line = division_selectors.line_record(code=code)
    if line is None:
        raise Http404("没有这条界线")
    doc_form = DocumentForm(prefix="doc")
    part_form = ParticipantForm(prefix="p")
    error = None
    if request.method == "POST":
        if not request.user.has_perm("boundaries.change_boundaryline"):
            raise PermissionDenied("需要界线管理员权限")
        try:
            if request.POST.get("action") == "document":
                doc_form = DocumentForm(request.POST, request.FILES, prefix="doc")
                if doc_form.is_valid():
                    boundary_document_attach(line=line, user=request.user, **doc_form.cleaned_data)
                    messages.success(request, "材料已存档。")
                    return redirect("boundaries:line-record", code=line.code)
            elif request.POST.get("action") == "participant":
                part_form = ParticipantForm(request.POST, prefix="p")
                if part_form.is_valid():
                    data = dict(part_form.cleaned_data)
                    inspection = JointInspection.objects.filter(
                        pk=data.pop("inspection"), line=line
                    ).first()
                    if inspection is None:
                        raise Http404("没有这次联检")
                    inspection_participant_add(inspection=inspection, user=request.user, **data)
                    messages.success(request, "参加人已记录。")
                    return redirect("boundaries:line-record", code=line.code)
        except OutsideEditScope as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "boundaries/line_record.html",
        {"line": line, "doc_form": doc_form, "part_form": part_form, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
@accepts_upload
def adjustment_page(request: HttpRequest) -> HttpResponse:
    """Division adjustments: the record, pending proposals, a new proposal, code history."""
    form = AdjustmentForm(prefix="adj")
    lookup = CodeLookupForm(request.GET or None)
    history = lookup.is_valid() and division_selectors.code_history(
        code=lookup.cleaned_data["code"], on=lookup.cleaned_data["on"]
    )
    error = None
    if request.method == "POST":
        form = AdjustmentForm(request.POST, request.FILES, prefix="adj")
        if form.is_valid():
            plan = form.plan()
            target = AdministrativeArea.objects.filter(
                code=plan["units"][0] if plan["units"] else "", valid_to__isnull=True
            ).first()
            try:
                if target is None:
                    raise InvalidEdit(
                        "units", f"区划代码 {(plan['units'] or [''])[0][:12]} 没有现行的行政区域"
                    )
                with transaction.atomic():
                    filed = change_services.change_request_submit(
                        layer_key="areas",
                        target_id=target.pk,
                        action="update",
                        proposed={"adjustment": plan},
                        reason=form.cleaned_data["reason"],
                        user=request.user,
                        source="adjustment_page",
                    )
                    change_services.change_document_attach(
                        request_id=filed.pk,
                        kind=DocumentKind.APPROVAL,
                        file=form.cleaned_data["approval_file"],
                        title=f"批准文件 {plan['approval_ref']}",
                        user=request.user,
                    )
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, f"已提交区划调整申请 #{filed.pk}，待审批后生效登记。")
                return redirect("boundaries:adjustments")
    pending = ChangeRequest.objects.filter(
        kind=ChangeKind.DIVISION, status__in=(ChangeStatus.PROPOSAL, ChangeStatus.REVIEW)
    ).select_related("submitted_by")
    adjustments = division_selectors.adjustments_labelled(
        list(division_selectors.adjustment_list()[:100])
    )
    return render(
        request,
        "boundaries/adjustments.html",
        {
            "form": form,
            "lookup": lookup,
            "history": history,
            "pending": pending,
            "adjustments": adjustments,
            "error": error,
        },
    )
