"""Bookkeeping of the project itself (not domain data)."""

from django.conf import settings
from django.db import models


class DatasetLoad(models.Model):
    """A bundled data set that a loader has written, with the checksum of its source files.

    Lets `load_hegang_demo` skip a part whose files have not changed since the last load.
    """

    name = models.CharField(max_length=100, unique=True)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = "数据集加载记录"
        verbose_name_plural = "数据集加载记录"

    def __str__(self) -> str:
        return f"{self.name} @ {self.loaded_at:%Y-%m-%d %H:%M}"


class OfficerScope(models.Model):
    """The areas inside which an officer may edit; no areas means the whole city."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="officer_scope")
    areas = models.ManyToManyField(settings.AREA_MODEL, blank=True, verbose_name="可编辑区域")

    class Meta:
        verbose_name = "编辑范围"
        verbose_name_plural = "编辑范围"

    def __str__(self) -> str:
        names = ", ".join(a.name for a in self.areas.all()) or "全市"
        return f"{self.user}: {names}"


class ThrottleCounter(models.Model):
    """Requests one client made to one heavy scope in the current fixed window.

    Shared by every server process (gis_portal/throttles.py); one row per scope and client.
    """

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField()

    class Meta:
        verbose_name = "限流计数"
        verbose_name_plural = "限流计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} @ {self.window_start:%Y-%m-%d %H:%M:%S}"


class ApiKeyScope(models.Model):
    """What one API key may do beyond its account's role: its scopes, space-separated.

    A key without a row has none (the keys of editing scripts). ``ogc:read`` lets a key
    read, through the OGC API, the staff layers its account may read (a department account
    reads those the catalogue gives every staff role); see gis_portal.authentication.
    """

    token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.CASCADE, primary_key=True, related_name="scope"
    )
    scopes = models.CharField("范围", max_length=200)

    class Meta:
        verbose_name = "令牌范围"
        verbose_name_plural = "令牌范围"

    def __str__(self) -> str:
        return self.scopes


class SharedUsage(models.Model):
    """One answer of the sharing API (OGC API Features) to an account: who read which
    layer, how many features, when. Anonymous reads of public layers are not recorded
    (no account to hold them to); the access log counts those."""

    user = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="账户"
    )
    # Kept as text too: the record outlives the account and the key.
    username = models.CharField("用户名", max_length=150)
    key_start = models.CharField("令牌开头", max_length=8, blank=True)
    collection = models.CharField("图层", max_length=40)
    request_kind = models.CharField("请求", max_length=20)
    features = models.PositiveIntegerField("要素数")
    requested_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "数据共享使用记录"
        verbose_name_plural = "数据共享使用记录"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.username} {self.collection} {self.features} @ {self.requested_at:%Y-%m-%d %H:%M}"
