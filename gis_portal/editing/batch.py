"""Save an editing session: several features in one transaction, all or nothing.

The editor moves shared vertices together (a line and the markers on it); each edit alone
would break the line/marker rule, so the layers' topology checks run once, after every
edit of the batch is applied. Every edit names the version it was made on (its ETag);
all are checked before any body is validated, so a stale batch is refused whole (412).
An edit without ``id`` is a new feature drawn in the editor, created by the layer's
``create`` service (a layer without one refuses it with its own message).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.db import transaction

from gis_portal.editing import change_services
from gis_portal.editing.attributes import comment_clean
from gis_portal.editing.concurrency import etag_version
from gis_portal.editing.errors import (
    CreateRefused,
    EditForbidden,
    InvalidEdit,
    PreconditionFailed,
    PreconditionRequired,
)
from gis_portal.editing.layers import Layer, layer_get
from gis_portal.editing.permissions import role_names, user_may_edit
from gis_portal.errors import NotFound

MAX_BATCH = 200


def _parse(edits) -> list[tuple[Layer, int | None, str | None, Mapping]]:
    """Return (layer, id, if_match, changes) of each edit; id None = a new feature."""
    if not isinstance(edits, list) or not edits:
        raise InvalidEdit("edits", "edits 应为非空数组")
    if len(edits) > MAX_BATCH:
        raise InvalidEdit("edits", f"一次最多保存 {MAX_BATCH} 个要素")
    out = []
    for i, edit in enumerate(edits):
        if not isinstance(edit, Mapping) or set(edit) - {"layer", "id", "if_match", "changes"}:
            raise InvalidEdit(f"edits[{i}]", "每项应只含 layer、id、if_match、changes")
        pk = edit.get("id")
        if pk is not None and (not isinstance(pk, int) or isinstance(pk, bool)):
            raise InvalidEdit(f"edits[{i}].id", "id 应为整数（新建要素不带 id）")
        changes = edit.get("changes")
        if not isinstance(changes, Mapping) or "comment" in changes:
            raise InvalidEdit(f"edits[{i}].changes", "changes 应为字段对象（说明写在 comment 中）")
        out.append((layer_get(str(edit.get("layer"))), pk, edit.get("if_match"), changes))
    return out


def edits_save(
    *, edits, comment, user: User, source: str = "editor", requests_out: list | None = None
) -> list[tuple[Layer, int]]:
    """Apply a batch of feature edits atomically; return (layer, pk) of each saved feature.

    Edits that need approval (boundary lines and markers, naming/renaming/abolishing a
    place name) are not applied: they are submitted together as one batch of change
    requests, appended to ``requests_out``.
    """
    parsed = _parse(edits)
    comment = comment_clean(comment)
    for layer, _pk, _tag, _changes in parsed:
        if not user_may_edit(user, layer.editor_roles):
            raise EditForbidden(f"只有{role_names(layer.editor_roles)}可以修改{layer.label}")
    saved: dict[str, list[int]] = defaultdict(list)
    with transaction.atomic():
        # Versions first (rows locked in a fixed order), before any body is validated.
        expected = {}
        updates = [p for p in parsed if p[1] is not None]
        for layer, pk, tag, _changes in sorted(updates, key=lambda p: (p[0].key, p[1])):
            obj = layer.model.objects.select_for_update().filter(pk=pk).first()
            if obj is None:
                raise NotFound(f"{layer.label} {pk} 不存在")
            if not tag:
                raise PreconditionRequired(f"{layer.label} {pk} 缺少 if_match（编辑时的版本）")
            version = etag_version(tag, kind=layer.key, pk=pk)
            if version != obj.version:
                raise PreconditionFailed(
                    f"{layer.label}「{layer.label_of(obj)}」已被他人修改（当前版本 {obj.version}）",
                    layer=layer.key,
                    id=pk,
                    current_version=obj.version,
                )
            expected[(layer.key, pk)] = version
        to_approve = [
            p for p in parsed if change_services.edit_needs_approval(p[0], pk=p[1], changes=p[3])
        ]
        if to_approve:
            submitted = change_services.change_requests_submit_batch(
                edits=[
                    (layer, pk, expected.get((layer.key, pk)), changes)
                    for layer, pk, _tag, changes in to_approve
                ],
                reason=comment,
                user=user,
                source=source,
            )
            if requests_out is not None:
                requests_out.extend(submitted)
            parsed = [p for p in parsed if not any(p is q for q in to_approve)]
        for layer, pk, _tag, changes in parsed:
            if pk is None:
                created = layer_create(
                    layer, changes={**changes, "comment": comment}, user=user, source=source
                )
                saved[layer.key].append(created.pk)
                continue
            layer.update(
                pk=pk,
                expected_version=expected[(layer.key, pk)],
                changes={**changes, "comment": comment},
                user=user,
                source=source,
                topology_check=False,
            )
            saved[layer.key].append(pk)
        for key, pks in saved.items():
            layer_get(key).recheck(pks)
    return [(layer_get(key), pk) for key, pks in saved.items() for pk in pks]


def layer_create(layer: Layer, *, changes: Mapping, user: User, source: str):
    """Create one feature drawn in the editor through the layer's create service.

    A layer without one refuses with its own message (a new place name, for instance, is
    a naming request, not a direct write).
    """
    if not user_may_edit(user, layer.editor_roles):
        raise EditForbidden(f"只有{role_names(layer.editor_roles)}可以新建{layer.label}")
    if layer.create is None:
        raise CreateRefused(layer.create_refusal)
    return layer.create(changes=changes, user=user, source=source)
