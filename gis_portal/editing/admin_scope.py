"""The edit scope in the admin: an officer changes or deletes only what lies in their areas.

The same rule as the editor and the API (``gis_portal.editing.scope``), applied to the
record as it is (change, delete, bulk delete: outside the scope the change form is
read-only and a POST is refused) and as it would be saved (a record moved or filed out of
the scope, or added outside it, is refused with 403 and nothing is written — inlines
included, since they are saved after the record).

Use ``ScopedAdminMixin`` in the bases of the ModelAdmin of a layer's model, with
``scope_layer_key`` naming the layer (``gis_portal.editing.layers``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gis_portal.accounts import OutsideEditScope
from gis_portal.editing.layers import layer_get
from gis_portal.editing.scope import footprint_check, footprint_in_scope, scope_area_ids


class ScopedAdminMixin:
    scope_layer_key: str = ""

    def _in_scope(self, request, obj) -> bool:
        if obj is None:
            return True
        area_ids = scope_area_ids(request.user)
        if area_ids is None:
            return True
        return footprint_in_scope(area_ids, layer_get(self.scope_layer_key).footprint_of(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if not self._in_scope(request, obj):
                raise PermissionDenied(f"{obj} 不在您的编辑范围内，未删除任何记录")
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        try:
            footprint_check(request.user, layer_get(self.scope_layer_key).footprint_of(obj))
        except OutsideEditScope as exc:
            raise PermissionDenied(exc.message) from None
        super().save_model(request, obj, form, change)
