"""Optimistic locking for DRF views: ETag on GET, If-Match required on writes.

The check runs in ``initial()`` right after authentication, permissions and throttling and
before the body is parsed or validated: a write without If-Match gets 428, a stale one 412
with the current version in the body. The write service re-checks the version under a row
lock, so a race between this check and the write still cannot overwrite silently.
"""

from __future__ import annotations

import re

from rest_framework.permissions import SAFE_METHODS

from gis_portal.editing.errors import PreconditionFailed, PreconditionRequired

_ETAG = re.compile(r'^\s*(?:W/)?"([^"]+)"\s*$')


def etag_format(*, kind: str, pk: int, version: int) -> str:
    return f'"{kind}-{pk}-v{version}"'


def etag_version(value: str, *, kind: str, pk: int) -> int | None:
    """Return the version named by one entity tag for this object, or None."""
    match = _ETAG.match(value)
    if not match:
        return None
    prefix = f"{kind}-{pk}-v"
    tag = match.group(1)
    if not tag.startswith(prefix) or not tag[len(prefix) :].isdigit():
        return None
    return int(tag[len(prefix) :])


class OptimisticLockMixin:
    """Mixin for an APIView on one versioned object.

    Subclasses set ``etag_kind`` and implement ``get_locked_object()`` (the current row,
    404 if absent) and ``conflict_representation(obj)`` (what the officer sees in the
    conflict dialog). After ``initial()``, ``self.expected_version`` holds the If-Match
    version of a write.
    """

    etag_kind = ""
    expected_version: int | None = None

    def get_locked_object(self):
        raise NotImplementedError

    def conflict_representation(self, obj) -> dict:
        raise NotImplementedError

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in SAFE_METHODS:
            return
        obj = self.get_locked_object()
        header = request.headers.get("If-Match")
        if not header or header.strip() == "*":
            raise PreconditionRequired(
                "缺少 If-Match 请求头：请先获取要素（ETag）再提交修改，以免覆盖他人的修改",
                current_version=obj.version,
            )
        versions = [
            etag_version(part, kind=self.etag_kind, pk=obj.pk) for part in header.split(",")
        ]
        if obj.version not in versions:
            raise PreconditionFailed(
                f"该要素已被他人修改（当前版本 {obj.version}），您编辑的版本已过期",
                current_version=obj.version,
                current=self.conflict_representation(obj),
            )
        self.expected_version = obj.version

    def etag_of(self, obj) -> str:
        return etag_format(kind=self.etag_kind, pk=obj.pk, version=obj.version)
