"""The admin of API keys: who holds one and until when, revocable; no key is ever shown.

Replaces knox's own admin, which issues keys for any account from the browser, lets the
digest (the primary key) and the owner be edited, and searches by key prefix. Keys are
issued on the server only (``manage.py issue_token``); here they are listed and revoked
(deleted). Only the administrator (a superuser) reaches this page: no role's group holds a
permission on keys (gis_portal.roles).
"""

from django.contrib import admin
from django.utils import timezone
from knox.models import AuthToken

from gis_portal.models import SharedUsage

admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("user", "key_start", "created", "expiry", "is_valid")
    list_select_related = ("user",)
    list_filter = ("user__is_active",)
    search_fields = ("user__username",)
    ordering = ("-created",)
    fields = ("user", "key_start", "created", "expiry")
    readonly_fields = fields

    @admin.display(description="密钥开头")
    def key_start(self, obj: AuthToken) -> str:
        # Enough to tell a holder's keys apart; knox finds keys by their first 15
        # characters, so fewer than that are shown.
        return f"{obj.token_key[:6]}…"

    @admin.display(description="有效", boolean=True)
    def is_valid(self, obj: AuthToken) -> bool:
        return obj.user.is_active and (obj.expiry is None or obj.expiry > timezone.now())

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SharedUsage)
class SharedUsageAdmin(admin.ModelAdmin):
    """Who read which layer through the sharing API, how many features, when: a record,
    never written or changed here. The administrator's alone (gis_portal.roles)."""

    list_display = ("requested_at", "username", "collection", "request_kind", "features")
    list_filter = ("collection", "request_kind")
    search_fields = ("username", "collection")
    date_hierarchy = "requested_at"
    readonly_fields = (
        "requested_at",
        "username",
        "user",
        "key_start",
        "collection",
        "request_kind",
        "features",
    )
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
