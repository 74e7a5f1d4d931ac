"""Change requests: submit → review → approve / reject → publish.

Approving applies the proposed change through the layer's own write service (same
validation, history recorded) inside one transaction, with the request row and the target
row locked: a target changed since the request was made fails with a conflict, and of two
simultaneous approvals one wins and the other is told the request is already decided.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

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
from gis_portal.editing.layers import (
    LAYER_OF_MODEL,
    ApprovedChange,
    Layer,
    layer_get,
    layer_of_request,
)
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
from gis_portal.editing.permissions import (
    APPROVER_ROLES,
    role_names,
    user_may_decide,
    user_may_edit,
)
from gis_portal.editing.scope import footprint_check
from gis_portal.editing.selectors import change_request_readable
from gis_portal.errors import Conflict, NotFound

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


def _apply(layer: Layer, change: ApprovedChange, *, topology_check: bool = True):
    """Apply a proposal through the layer's write services; return the written object."""
    if layer.apply_approved is not None:
        return layer.apply_approved(change)
    if change.action == ChangeAction.DELETE:
        layer.delete(
            pk=change.target_id,
            expected_version=change.expected_version,
            comment=change.comment,
            user=change.user,
            source=change.source,
        )
        return None
    if change.action == ChangeAction.CREATE:
        raise InvalidEdit("action", f"{layer.label}不能通过变更申请新建")
    return layer.update(
        pk=change.target_id,
        expected_version=change.expected_version,
        changes={**change.proposed, "comment": change.comment},
        user=change.user,
        source=change.source,
        topology_check=topology_check,
    )


@dataclass
class _Proposal:
    layer: Layer
    kind: str
    action: str
    target: object | None
    proposed: dict


def _prepare(
    *,
    layer: Layer,
    target_id: int | None,
    action: str,
    proposed,
    user: User,
    base_version: int | None,
) -> _Proposal:
    """Checks of one proposal that need no trial write: role, kind, target, version,
    pending requests, naming review."""
    _require_role(user, layer.editor_roles, f"提交{layer.label}的变更申请")
    if action not in ChangeAction.values:
        raise InvalidEdit("action", f"操作应为 {'、'.join(ChangeAction.values)}")
    if action != ChangeAction.DELETE and (
        not isinstance(proposed, Mapping) or "comment" in proposed
    ):
        raise InvalidEdit("proposed", "拟变更内容应为字段对象（说明写在 reason 中）")
    proposed = dict(proposed) if action != ChangeAction.DELETE else {}
    kind = layer.request_kind(action=action, proposed=proposed)
    if kind is None and action == ChangeAction.CREATE and layer.create is None:
        raise InvalidEdit("action", layer.create_refusal)
    if kind is None:
        if layer.apply_approved is not None:
            raise InvalidEdit(
                "proposed", f"该修改不涉及{layer.label}的命名、更名或销名，无需审批，请直接保存"
            )
        kind = layer.change_kind
    if kind is None:
        # The layer's edits apply directly: no approval, so no request to file.
        raise InvalidEdit(
            "layer", f"{layer.label}的修改直接保存生效，无需审批，不能提交变更申请：请直接保存"
        )
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
        # Before the version and the pending request are told: outside the officer's
        # scope nothing about the feature's requests is shown.
        footprint_check(user, layer.footprint_of(target))
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
    if layer.review is not None:
        # The layer's own check of what is proposed (a place name's naming review).
        layer.review(kind=kind, target=target, proposed=proposed)
    return _Proposal(layer=layer, kind=kind, action=action, target=target, proposed=proposed)


def _trial(proposals: list[_Proposal], *, reason: str, user: User, source: str) -> None:
    """Apply the proposals together and roll back: the same checks the approval will run
    (a line and the markers moved with it are checked together, as the editor saved them)."""
    try:
        with transaction.atomic():
            touched: dict[str, list[int]] = defaultdict(list)
            for p in proposals:
                change = ApprovedChange(
                    action=p.action,
                    target_id=None if p.target is None else p.target.pk,
                    expected_version=None if p.target is None else p.target.version,
                    proposed=p.proposed,
                    comment=reason,
                    user=user,
                    source=source,
                )
                _apply(p.layer, change, topology_check=len(proposals) == 1)
                if p.target is not None and p.action == ChangeAction.UPDATE:
                    touched[p.layer.key].append(p.target.pk)
            if len(proposals) > 1:
                for key, pks in touched.items():
                    layer_get(key).recheck(pks)
            raise _DryRun
    except _DryRun:
        pass


def _record(p: _Proposal, *, reason: str, user: User, batch=None) -> ChangeRequest:
    label = p.layer.label_of(p.target) if p.target else str(p.proposed.get("standard_name") or "")
    return ChangeRequest.objects.create(
        kind=p.kind,
        action=p.action,
        target_type=ContentType.objects.get_for_model(p.layer.model),
        target_id=None if p.target is None else p.target.pk,
        target_label=label[:200],
        base_version=None if p.target is None else p.target.version,
        proposed_data=_jsonable(p.proposed),
        reason=reason,
        submitted_by=user,
        batch=batch,
        is_demo=bool(getattr(p.target, "is_demo", False)),
    )


def change_request_submit(
    *,
    layer_key: str,
    target_id: int | None,
    action: str,
    proposed: Mapping,
    reason,
    user: User,
    base_version: int | None = None,
    source: str = "api",
) -> ChangeRequest:
    """Record a proposed change of one feature (or a new place name), validated now by a
    trial application that is rolled back, and validated again on approval.

    ``base_version`` is the version the officer edited (If-Match); a feature with a
    pending request gets no second one (409 naming the pending request).
    """
    layer = layer_get(layer_key)
    reason = comment_clean(reason)
    proposal = _prepare(
        layer=layer,
        target_id=target_id,
        action=action,
        proposed=proposed,
        user=user,
        base_version=base_version,
    )
    _trial([proposal], reason=reason, user=user, source=source)
    return _record(proposal, reason=reason, user=user)


def change_requests_submit_batch(
    *,
    edits: list[tuple[Layer, int | None, int | None, Mapping]],
    reason: str,
    user: User,
    source: str = "editor",
) -> list[ChangeRequest]:
    """Submit the edits of one editor save that need approval as one batch: checked
    together now, decided together later. ``edits``: (layer, id, version, changes)."""
    proposals = [
        _prepare(
            layer=layer,
            target_id=pk,
            action=ChangeAction.CREATE if pk is None else ChangeAction.UPDATE,
            proposed=changes,
            user=user,
            base_version=version,
        )
        for layer, pk, version, changes in edits
    ]
    _trial(proposals, reason=reason, user=user, source=source)
    batch = uuid.uuid4() if len(proposals) > 1 else None
    return [_record(p, reason=reason, user=user, batch=batch) for p in proposals]


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
        "target_id": request.target_id,
        "message": f"已提交审批，编号 #{request.pk}（{request.get_kind_display()}）",
    }


def edit_needs_approval(layer: Layer, *, pk: int | None, changes) -> bool:
    proposed = (
        {k: v for k, v in changes.items() if k != "comment"} if isinstance(changes, Mapping) else {}
    )
    action = ChangeAction.CREATE if pk is None else ChangeAction.UPDATE
    return layer.request_kind(action=action, proposed=proposed) is not None


def edit_or_request(
    *, layer: Layer, pk: int, expected_version: int | None, changes, user: User, source: str
) -> ChangeRequest | None:
    """Apply an officer's edit, or submit it as a change request when the layer's rules say
    it needs approval (renaming/abolishing a place name, any boundary change)."""
    if not edit_needs_approval(layer, pk=pk, changes=changes):
        layer.update(
            pk=pk, expected_version=expected_version, changes=changes, user=user, source=source
        )
        return None
    return change_request_submit(
        layer_key=layer.key,
        target_id=pk,
        action=ChangeAction.UPDATE,
        proposed={k: v for k, v in changes.items() if k != "comment"},
        reason=changes.get("comment"),
        user=user,
        base_version=expected_version,
        source=source,
    )


def _pick(members: list[ChangeRequest], request_id) -> ChangeRequest:
    return next(r for r in members if r.pk == int(request_id))


def _locked_batch(request_id: int) -> list[ChangeRequest]:
    """The request and the others submitted with it (one editor save), locked, by id."""
    request = _locked_request(request_id)
    if request.batch is None:
        return [request]
    return list(
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("target_type")
        .filter(batch=request.batch)
        .order_by("pk")
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
        if not change_request_readable(user, request):
            raise NotFound(f"变更申请 {request_id} 不存在")
        if request.submitted_by_id != user.pk and not user_may_decide(user):
            raise EditForbidden("只能为自己提交的申请上传材料")
        _transition(request, (ChangeStatus.PROPOSAL, ChangeStatus.REVIEW), "补充材料")
        return ChangeDocument.objects.create(
            request=request, kind=kind, file=file, title=title, uploaded_by=user
        )


def change_request_review(*, request_id: int, user: User) -> ChangeRequest:
    """Take a submitted request (with the rest of its batch) into review."""
    _require_role(user, APPROVER_ROLES, "审查变更申请")
    with transaction.atomic():
        members = _locked_batch(request_id)
        for request in members:
            _transition(request, (ChangeStatus.PROPOSAL,), "开始审查")
        for request in members:
            request.status = ChangeStatus.REVIEW
            request.reviewed_by = user
            request.reviewed_at = timezone.now()
            request.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return _pick(members, request_id)


def _missing_documents(members: list[ChangeRequest]) -> list[str]:
    attached = set(
        ChangeDocument.objects.filter(request__in=members).values_list("kind", flat=True)
    )
    needed = {k for r in members for k in REQUIRED_DOCUMENTS.get(r.kind, ())}
    return sorted(needed - attached)


def change_request_approve(
    *, request_id: int, user: User, note: str = "", approving_authority: str = ""
) -> ChangeRequest:
    """Approve a request under review (with the rest of its batch) and apply it atomically.

    Raises VersionConflict (409) if a target changed since the request was made, and
    InvalidTransition (409) if another approver decided it first.
    """
    _require_role(user, APPROVER_ROLES, "审批变更申请")
    note = TextRule("审批意见", 2000).clean("note", note)
    approving_authority = TextRule("批准机关", 100).clean(
        "approving_authority", approving_authority
    )
    with transaction.atomic():
        members = _locked_batch(request_id)
        for request in members:
            _transition(request, (ChangeStatus.REVIEW,), "批准")
            if request.submitted_by_id == user.pk:
                raise EditForbidden("不能审批自己提交的申请")
        missing = _missing_documents(members)
        if missing:
            labels = "、".join(DocumentKind(k).label for k in missing)
            raise InvalidEdit("documents", f"缺少法定材料：{labels}")
        touched: dict[str, list[int]] = defaultdict(list)
        for request in members:
            layer = layer_of_request(request)
            if request.action != ChangeAction.CREATE:
                target = (
                    layer.model.objects.select_for_update().filter(pk=request.target_id).first()
                )
                if target is None or target.version != request.base_version:
                    current = "已删除" if target is None else f"当前版本 {target.version}"
                    raise VersionConflict(
                        f"申请提交后{layer.label}「{request.target_label}」已被修改"
                        f"（申请基于版本 {request.base_version}，{current}），请重新提交",
                        base_version=request.base_version,
                        current_version=None if target is None else target.version,
                    )
            change = ApprovedChange(
                action=request.action,
                target_id=request.target_id,
                expected_version=request.base_version,
                proposed=request.proposed_data,
                comment=(
                    f"变更申请 #{request.pk}（{request.submitted_by.get_username()} 提交）："
                    f"{request.reason}"
                )[:500],
                user=user,
            )
            written = _apply(layer, change, topology_check=len(members) == 1)
            if request.action == ChangeAction.CREATE:
                request.target_id = written.pk
                request.target_label = layer.label_of(written)[:200]
            elif request.action == ChangeAction.UPDATE:
                touched[layer.key].append(request.target_id)
        if len(members) > 1:
            for key, pks in touched.items():
                layer_get(key).recheck(pks)
        for request in members:
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
    return _pick(members, request_id)


def change_request_reject(*, request_id: int, user: User, note) -> ChangeRequest:
    """Reject a request and its batch (the reason is required and shown to the submitter)."""
    _require_role(user, APPROVER_ROLES, "驳回变更申请")
    note = TextRule("驳回理由", 2000, required=True).clean("note", note)
    with transaction.atomic():
        members = _locked_batch(request_id)
        for request in members:
            _transition(request, (ChangeStatus.PROPOSAL, ChangeStatus.REVIEW), "驳回")
        for request in members:
            request.status = ChangeStatus.REJECTED
            request.decided_by = user
            request.decided_at = timezone.now()
            request.decision_note = note
            request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return _pick(members, request_id)


def _announcement_defaults(request: ChangeRequest) -> dict:
    """The announcement's fields as the layer gives them for the approved target."""
    layer = LAYER_OF_MODEL.get(request.target_type.model_class())
    if layer is None or layer.announcement is None or request.target_id is None:
        return {}
    return layer.announcement(kind=request.kind, target_id=request.target_id)


def change_request_publish(
    *, request_id: int, user: User, announcement: Mapping | None = None
) -> ChangeRequest:
    """Publish an approved request (and its batch); a naming, renaming or abolition also
    gets its announcement, its fields taken from the place as approved unless given."""
    _require_role(user, APPROVER_ROLES, "发布公告")
    with transaction.atomic():
        members = _locked_batch(request_id)
        for request in members:
            _transition(request, (ChangeStatus.APPROVED,), "发布")
        for request in members:
            if request.kind in NAMING_KINDS:
                _announce(request, dict(announcement or {}))
            request.status = ChangeStatus.PUBLISHED
            request.published_at = timezone.now()
            request.save(update_fields=["status", "published_at"])
    return _pick(members, request_id)


def _announce(request: ChangeRequest, given: dict) -> Announcement:
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
    return Announcement.objects.create(
        request=request,
        kind=request.kind,
        former_name=defaults.get("former_name", "")[:100],
        approving_authority=request.approving_authority,
        approved_on=timezone.localdate(request.decided_at),
        published_at=timezone.now(),
        is_demo=request.is_demo,
        **fields,
    )
