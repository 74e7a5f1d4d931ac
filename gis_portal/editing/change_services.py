"""Change requests: submit → review → approve / reject → publish.

Approving applies the proposed change through the layer's own write service (same
validation, history recorded) inside one transaction, with the request row and the target
row locked: a target changed since the request was made fails with a conflict, and of two
simultaneous approvals one wins and the other is told the request is already decided.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from gis_portal.editing.attributes import TextRule, comment_clean
from gis_portal.editing.errors import (
    EditForbidden,
    InvalidEdit,
    InvalidTransition,
    PreconditionFailed,
    VersionConflict,
)
from gis_portal.editing.layers import LAYERS, Layer, layer_get
from gis_portal.editing.models import (
    REQUIRED_DOCUMENTS,
    Announcement,
    ChangeAction,
    ChangeDocument,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    DocumentKind,
)
from gis_portal.editing.permissions import role_names, user_may_edit
from gis_portal.errors import Conflict, NotFound

# Who reviews and approves: the administrator role (the bureau's approving office).
APPROVER_ROLES = ("administrator",)
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png", ".zip")
NAMING_KINDS = {ChangeKind.NAMING, ChangeKind.RENAMING, ChangeKind.ABOLISHING}
ANNOUNCEMENT_RULES = {
    "standard_name": TextRule("标准名称", 100, required=True),
    "pinyin": TextRule("罗马字母拼写", 200, required=True),
    "division": TextRule("所属政区", 100, required=True),
    "location": TextRule("位置描述", 1000, required=True),
}


class PendingRequestConflict(Conflict):
    """The feature already has a change request waiting for a decision."""

    code = "pending_request"


def layer_of_request(request: ChangeRequest) -> Layer:
    model = request.target_type.model_class()
    for layer in LAYERS.values():
        if layer.model is model:
            return layer
    raise InvalidEdit("layer", f"对象类型 {request.target_type} 不是可编辑图层")


def _require_role(user: User, roles: tuple[str, ...], action: str) -> None:
    if not user_may_edit(user, roles):
        raise EditForbidden(f"只有{role_names(roles)}可以{action}")


def _locked_request(request_id: int) -> ChangeRequest:
    request = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("target_type")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(f"变更申请 {request_id} 不存在")
    return request


def _transition(request: ChangeRequest, allowed: tuple[str, ...], action: str) -> None:
    if request.status not in allowed:
        raise InvalidTransition(
            f"变更申请 #{request.pk} 当前状态为「{request.get_status_display()}」，不能{action}",
            status=request.status,
        )


class _DryRun(Exception):
    """Raised to roll back a trial application of a proposal."""


def _pending_on(layer: Layer, target_id: int) -> ChangeRequest | None:
    return (
        ChangeRequest.objects.filter(
            target_type=ContentType.objects.get_for_model(layer.model),
            target_id=target_id,
            status__in=(ChangeStatus.PROPOSAL, ChangeStatus.REVIEW),
        )
        .select_related("submitted_by")
        .order_by("pk")
        .first()
    )


def _apply(
    layer: Layer,
    *,
    action: str,
    target_id: int | None,
    expected_version: int | None,
    proposed: Mapping,
    comment: str,
    user: User,
    source: str,
):
    """Apply a proposal through the layer's write services; return the written object."""
    if layer.apply_approved is not None:
        return layer.apply_approved(
            action=action,
            target_id=target_id,
            expected_version=expected_version,
            proposed=proposed,
            comment=comment,
            user=user,
            source=source,
        )
    if action == ChangeAction.DELETE:
        layer.delete(
            pk=target_id,
            expected_version=expected_version,
            comment=comment,
            user=user,
            source=source,
        )
        return None
    if action == ChangeAction.CREATE:
        raise InvalidEdit("action", f"{layer.label}不能通过变更申请新建")
    return layer.update(
        pk=target_id,
        expected_version=expected_version,
        changes={**proposed, "comment": comment},
        user=user,
        source=source,
    )


def _naming_review(layer: Layer, kind: str, target, proposed: Mapping) -> None:
    """A new or changed name must pass the naming review (no duplicate in its scope)."""
    if kind not in (ChangeKind.NAMING, ChangeKind.RENAMING) or "standard_name" not in proposed:
        return
    from placenames.selectors import placename_review

    if target is not None:
        category, division = target.category.code, target.division.code
    else:
        category, division = str(proposed.get("category")), str(proposed.get("division"))
    result = placename_review(
        name=str(proposed["standard_name"]), category_code=category, division_code=division
    )
    errors = [f for f in result.findings if f.level == "error"]
    if errors:
        raise InvalidEdit("standard_name", "；".join(f.message for f in errors)[:300])


def change_request_submit(
    *,
    layer_key: str,
    target_id: int | None,
    action: str,
    proposed: Mapping,
    reason,
    user: User,
    base_version: int | None = None,
    batch=None,
    source: str = "api",
) -> ChangeRequest:
    """Record a proposed change of one feature (or a new place name), validated now by a
    trial application that is rolled back, and validated again on approval.

    ``base_version`` is the version the officer edited (If-Match); a feature with a
    pending request gets no second one (409 naming the pending request).
    """
    layer = layer_get(layer_key)
    _require_role(user, layer.editor_roles, f"提交{layer.label}的变更申请")
    reason = comment_clean(reason)
    if action not in ChangeAction.values:
        raise InvalidEdit("action", f"操作应为 {'、'.join(ChangeAction.values)}")
    if action != ChangeAction.DELETE and (
        not isinstance(proposed, Mapping) or "comment" in proposed
    ):
        raise InvalidEdit("proposed", "拟变更内容应为字段对象（说明写在 reason 中）")
    proposed = dict(proposed) if action != ChangeAction.DELETE else {}
    kind = layer.request_kind(action=action, proposed=proposed)
    if kind is None:
        if layer.apply_approved is not None:
            raise InvalidEdit(
                "proposed", f"该修改不涉及{layer.label}的命名、更名或销名，无需审批，请直接保存"
            )
        kind = layer.change_kind
    target = None
    if action == ChangeAction.CREATE:
        if target_id is not None:
            raise InvalidEdit("target_id", "新建（命名）申请不应指定 target_id")
    else:
        if target_id is None:
            raise InvalidEdit("target_id", "缺少 target_id")
        target = layer.model.objects.filter(pk=target_id).first()
        if target is None:
            raise NotFound(f"{layer.label} {target_id} 不存在")
        if base_version is not None and base_version != target.version:
            raise PreconditionFailed(
                f"{layer.label}「{layer.label_of(target)}」已被他人修改（当前版本 {target.version}）",
                layer=layer.key,
                id=target.pk,
                current_version=target.version,
            )
        pending = _pending_on(layer, target.pk)
        if pending is not None:
            raise PendingRequestConflict(
                f"{layer.label}「{layer.label_of(target)}」已有待审批的变更申请 #{pending.pk}"
                f"（{pending.submitted_by.get_username()} 提交），请等待审批结果后再修改",
                request_id=pending.pk,
                layer=layer.key,
                id=target.pk,
                current_version=target.version,
                pending=pending.proposed_data,
            )
    _naming_review(layer, kind, target, proposed)
    try:
        with transaction.atomic():
            _apply(
                layer,
                action=action,
                target_id=target_id,
                expected_version=None if target is None else target.version,
                proposed=proposed,
                comment=reason,
                user=user,
                source=source,
            )
            raise _DryRun
    except _DryRun:
        pass
    label = layer.label_of(target) if target else str(proposed.get("standard_name") or "")
    return ChangeRequest.objects.create(
        kind=kind,
        action=action,
        target_type=ContentType.objects.get_for_model(layer.model),
        target_id=None if target is None else target.pk,
        target_label=label[:200],
        base_version=None if target is None else target.version,
        proposed_data=_jsonable(proposed),
        reason=reason,
        submitted_by=user,
        batch=batch,
    )


def _jsonable(proposed: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in proposed.items()}


def request_summary(request: ChangeRequest) -> dict:
    """What the editor tells the officer about a submitted request."""
    return {
        "id": request.pk,
        "kind": request.kind,
        "kind_display": request.get_kind_display(),
        "status": request.status,
        "status_display": request.get_status_display(),
        "message": f"已提交审批，编号 #{request.pk}（{request.get_kind_display()}）",
    }


def edit_or_request(
    *, layer: Layer, pk: int, expected_version: int | None, changes, user: User, source: str
) -> ChangeRequest | None:
    """Apply an officer's edit, or submit it as a change request when the layer's rules say
    it needs approval (renaming/abolishing a place name, any boundary change)."""
    proposed = (
        {k: v for k, v in changes.items() if k != "comment"}
        if isinstance(changes, Mapping)
        else changes
    )
    kind = layer.request_kind(action=ChangeAction.UPDATE, proposed=proposed or {})
    if kind is None:
        layer.update(
            pk=pk, expected_version=expected_version, changes=changes, user=user, source=source
        )
        return None
    return change_request_submit(
        layer_key=layer.key,
        target_id=pk,
        action=ChangeAction.UPDATE,
        proposed=proposed,
        reason=changes.get("comment"),
        user=user,
        base_version=expected_version,
        source=source,
    )


def change_document_attach(
    *, request_id: int, kind: str, file: UploadedFile, title: str, user: User
) -> ChangeDocument:
    """Attach a report or survey file to a request that is not decided yet."""
    if kind not in DocumentKind.values:
        raise InvalidEdit("kind", f"材料类型应为 {'、'.join(DocumentKind.values)}")
    name = (file.name or "").lower()
    if not name.endswith(DOCUMENT_EXTENSIONS):
        raise InvalidEdit("file", f"文件类型应为 {'、'.join(DOCUMENT_EXTENSIONS)}")
    if file.size > DOCUMENT_MAX_BYTES:
        raise InvalidEdit("file", f"文件超过 {DOCUMENT_MAX_BYTES // 1024 // 1024} MB")
    title = TextRule("标题", 200).clean("title", title)
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.submitted_by_id != user.pk and not user_may_edit(user, APPROVER_ROLES):
            raise EditForbidden("只能为自己提交的申请上传材料")
        _transition(request, (ChangeStatus.PROPOSAL, ChangeStatus.REVIEW), "补充材料")
        return ChangeDocument.objects.create(
            request=request, kind=kind, file=file, title=title, uploaded_by=user
        )


def change_request_review(*, request_id: int, user: User) -> ChangeRequest:
    """Take a submitted request into review."""
    _require_role(user, APPROVER_ROLES, "审查变更申请")
    with transaction.atomic():
        request = _locked_request(request_id)
        _transition(request, (ChangeStatus.PROPOSAL,), "开始审查")
        request.status = ChangeStatus.REVIEW
        request.reviewed_by = user
        request.reviewed_at = timezone.now()
        request.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return request


def change_request_approve(
    *, request_id: int, user: User, note: str = "", approving_authority: str = ""
) -> ChangeRequest:
    """Approve a request under review and apply its change atomically.

    Raises VersionConflict (409) if the target changed since the request was made, and
    InvalidTransition (409) if another approver decided it first.
    """
    _require_role(user, APPROVER_ROLES, "审批变更申请")
    note = TextRule("审批意见", 2000).clean("note", note)
    approving_authority = TextRule("批准机关", 100).clean(
        "approving_authority", approving_authority
    )
    with transaction.atomic():
        request = _locked_request(request_id)
        _transition(request, (ChangeStatus.REVIEW,), "批准")
        if request.submitted_by_id == user.pk:
            raise EditForbidden("不能审批自己提交的申请")
        missing = set(REQUIRED_DOCUMENTS.get(request.kind, ())) - set(
            request.documents.values_list("kind", flat=True)
        )
        if missing:
            labels = "、".join(DocumentKind(k).label for k in sorted(missing))
            raise InvalidEdit("documents", f"缺少法定材料：{labels}")
        layer = layer_of_request(request)
        comment = f"变更申请 #{request.pk}：{request.reason}"[:500]
        if request.action != ChangeAction.CREATE:
            target = layer.model.objects.select_for_update().filter(pk=request.target_id).first()
            if target is None or target.version != request.base_version:
                current = "已删除" if target is None else f"当前版本 {target.version}"
                raise VersionConflict(
                    f"申请提交后{layer.label}「{request.target_label}」已被修改"
                    f"（申请基于版本 {request.base_version}，{current}），请重新提交",
                    base_version=request.base_version,
                    current_version=None if target is None else target.version,
                )
        written = _apply(
            layer,
            action=request.action,
            target_id=request.target_id,
            expected_version=request.base_version,
            proposed=request.proposed_data,
            comment=comment,
            user=user,
            source="approval",
        )
        if request.action == ChangeAction.CREATE:
            request.target_id = written.pk
            request.target_label = layer.label_of(written)[:200]
        request.status = ChangeStatus.APPROVED
        request.decided_by = user
        request.decided_at = timezone.now()
        request.decision_note = note
        request.approving_authority = approving_authority
        request.save(
            update_fields=[
                "target_id",
                "target_label",
                "status",
                "decided_by",
                "decided_at",
                "decision_note",
                "approving_authority",
            ]
        )
    return request


def change_request_reject(*, request_id: int, user: User, note) -> ChangeRequest:
    """Reject a request (the reason is required and shown to the submitter)."""
    _require_role(user, APPROVER_ROLES, "驳回变更申请")
    note = TextRule("驳回理由", 2000, required=True).clean("note", note)
    with transaction.atomic():
        request = _locked_request(request_id)
        _transition(request, (ChangeStatus.PROPOSAL, ChangeStatus.REVIEW), "驳回")
        request.status = ChangeStatus.REJECTED
        request.decided_by = user
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return request


def _announcement_defaults(request: ChangeRequest) -> dict:
    """Standard name, pinyin, division and location of the place as approved."""
    from placenames.edit_services import announcement_fields
    from placenames.models import PlaceName

    if request.target_type.model_class() is not PlaceName or request.target_id is None:
        return {}
    place = (
        PlaceName.objects.select_related("division__parent")
        .defer("division__geom_4490", "division__parent__geom_4490")
        .filter(pk=request.target_id)
        .first()
    )
    return announcement_fields(place) if place is not None else {}


def change_request_publish(
    *, request_id: int, user: User, announcement: Mapping | None = None
) -> ChangeRequest:
    """Publish an approved request; a naming/renaming/abolition also gets its announcement."""
    _require_role(user, APPROVER_ROLES, "发布公告")
    with transaction.atomic():
        request = _locked_request(request_id)
        _transition(request, (ChangeStatus.APPROVED,), "发布")
        if request.kind in NAMING_KINDS:
            given = dict(announcement or {})
            unknown = sorted(set(given) - set(ANNOUNCEMENT_RULES))
            if unknown:
                raise InvalidEdit(unknown[0], f"公告没有字段：{'、'.join(unknown)[:80]}")
            defaults = _announcement_defaults(request)
            fields = {
                name: rule.clean(name, given.get(name) or defaults.get(name))
                for name, rule in ANNOUNCEMENT_RULES.items()
            }
            if not request.approving_authority:
                raise InvalidEdit("approving_authority", "批准机关为空，不能发布地名公告")
            Announcement.objects.create(
                request=request,
                kind=request.kind,
                approving_authority=request.approving_authority,
                approved_on=timezone.localdate(request.decided_at),
                published_at=timezone.now(),
                is_demo=request.is_demo,
                **fields,
            )
        request.status = ChangeStatus.PUBLISHED
        request.published_at = timezone.now()
        request.save(update_fields=["status", "published_at"])
    return request
