"""Save an editing session: several features in one transaction, all or nothing.

The editor moves shared vertices together (a line and the markers on it); each edit alone
would break the line/marker rule, so the layers' topology checks run once, after every
edit of the batch is applied. Every edit names the version it was made on (its ETag);
all are checked before any body is validated, so a stale batch is refused whole (412).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.db import transaction

from gis_portal.editing.attributes import comment_clean
from gis_portal.editing.concurrency import etag_version
from gis_portal.editing.errors import (
    EditForbidden,
    InvalidEdit,
    PreconditionFailed,
    PreconditionRequired,
)
from gis_portal.editing.layers import Layer, layer_get
from gis_portal.editing.permissions import role_names, user_may_edit
from gis_portal.errors import NotFound

MAX_BATCH = 200


def _parse(edits) -> list[tuple[Layer, int, str | None, Mapping]]:
    if not isinstance(edits, list) or not edits:
        raise InvalidEdit("edits", "edits 应为非空数组")
    if len(edits) > MAX_BATCH:
        raise InvalidEdit("edits", f"一次最多保存 {MAX_BATCH} 个要素")
    out = []
    for i, edit in enumerate(edits):
        if not isinstance(edit, Mapping) or set(edit) - {"layer", "id", "if_match", "changes"}:
            raise InvalidEdit(f"edits[{i}]", "每项应只含 layer、id、if_match、changes")
        pk = edit.get("id")
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise InvalidEdit(f"edits[{i}].id", "id 应为整数")
        changes = edit.get("changes")
        if not isinstance(changes, Mapping) or "comment" in changes:
            raise InvalidEdit(f"edits[{i}].changes", "changes 应为字段对象（说明写在 comment 中）")
        out.append((layer_get(str(edit.get("layer"))), pk, edit.get("if_match"), changes))
    return out


def edits_save(*, edits, comment, user: User, source: str = "editor") -> list[tuple[Layer, int]]:
    """Apply a batch of feature edits atomically; return (layer, pk) of each saved feature."""
    parsed = _parse(edits)
    comment = comment_clean(comment)
    for layer, _pk, _tag, _changes in parsed:
        if not user_may_edit(user, layer.editor_roles):
            raise EditForbidden(f"只有{role_names(layer.editor_roles)}可以修改{layer.label}")
    saved: dict[str, list[int]] = defaultdict(list)
    with transaction.atomic():
        # Versions first (rows locked in a fixed order), before any body is validated.
        expected = {}
        for layer, pk, tag, _changes in sorted(parsed, key=lambda p: (p[0].key, p[1])):
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
        for layer, pk, _tag, changes in parsed:
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
