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
