"""Streets, street signs and door plates (门牌), stored in CGCS2000 (EPSG:4490).

Each geometry also has database-generated copies: EPSG:4552 (CGCS2000 3° Gauss-Krüger zone
43, CM 129°E, metres) for nearest-neighbour search and distances — KNN on lon/lat degrees
picks the wrong door in ~14 % of queries at 47°N — and EPSG:3857 for vector tiles. The
urban districts lie at ~130.3°E, inside zone 43 (127.5–130.5°E); the eastern counties are
in zone 44, where zone-43 coordinates are still metric to ~0.1 %, enough for ordering
neighbours and for the check distances. Generated columns can never drift from geom_4490.
"""

from __future__ import annotations

import pghistory
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Transform
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q

from boundaries.models import AdministrativeArea
from gis_portal.history import history_trackers, version_bump_trigger
from placenames.addresses.numbering import format_number

METRIC_SRID = 4552
TILE_SRID = 3857


class Side(models.TextChoices):
    LEFT = "left", "左侧"
    RIGHT = "right", "右侧"


class BaseEnd(models.TextChoices):
    START = "start", "线起点"
    END = "end", "线终点"


class NumberingMode(models.TextChoices):
    PER_DOOR = "per_door", "按门顺序编号"
    PER_METRE = "per_metre", "按米放号"


class PlateStatus(models.TextChoices):
    PLANNED = "planned", "待制作"
    INSTALLED = "installed", "在用"
    DAMAGED = "damaged", "损坏待换"
    RETIRED = "retired", "已注销"


class SignKind(models.TextChoices):
    LIGHTBOX = "lightbox", "灯箱路牌"
    SINGLE = "single", "单立柱路牌"
    OTHER = "other", "其他"


class SignStatus(models.TextChoices):
    PLANNED = "planned", "待制作"
    INSTALLED = "installed", "在用"
    REMOVED = "removed", "已拆除"


class Condition(models.TextChoices):
    GOOD = "good", "完好"
    WORN = "worn", "褪色/轻微损坏"
    DAMAGED = "damaged", "损坏"
    MISSING = "missing", "缺失"


def _metric(field: str, geom_class):
    return models.GeneratedField(
        expression=Transform(field, METRIC_SRID),
        output_field=geom_class(srid=METRIC_SRID),
        db_persist=True,
    )


def _tile(field: str, geom_class):
    return models.GeneratedField(
        expression=Transform(field, TILE_SRID),
        output_field=geom_class(srid=TILE_SRID),
        db_persist=True,
    )


# Streets, signs and door plates are editor layers: ``version`` is bumped by a trigger on
# every UPDATE and every write (editor, API, import, admin, bulk, raw SQL) lands in the
# <Model>Event table, as for the boundary layers. The generated metric/tile copies are
# not snapshotted (they follow from geom_4490/point_4490).
@pghistory.track(*history_trackers(), exclude=["line_4552"])
class Street(models.Model):
    """A street, road or lane (街路巷) with its door-numbering rule."""

    name = models.CharField("标准名称", max_length=50)
    name_pinyin = models.CharField("罗马字母拼写", max_length=120, blank=True)
    place_name = models.ForeignKey(
        "placenames.PlaceName",
        verbose_name="地名档案记录",
        on_delete=models.SET_NULL,
        related_name="streets",
        null=True,
        blank=True,
    )
    county = models.ForeignKey(
        AdministrativeArea,
        verbose_name="所在县（区）",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    township = models.ForeignKey(
        AdministrativeArea,
        verbose_name="所在街道/乡镇",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    start_description = models.CharField("起点", max_length=100, blank=True)
    end_description = models.CharField("止点", max_length=100, blank=True)
    geom_4490 = models.LineStringField("走向", srid=4490)
    line_4552 = _metric("geom_4490", models.LineStringField)
    # Numbering rule (编号规则): numbers grow away from the base end; odd numbers on one side.
    base_end = models.CharField(
        "起编端", max_length=5, choices=BaseEnd.choices, default=BaseEnd.START
    )
    odd_side = models.CharField(
        "单号一侧",
        max_length=5,
        choices=Side.choices,
        default=Side.RIGHT,
        help_text="面向编号增加方向时单号所在一侧",
    )
    numbering_mode = models.CharField(
        "编号方式", max_length=10, choices=NumberingMode.choices, default=NumberingMode.PER_DOOR
    )
    metres_per_number = models.FloatField(
        "每号米数", null=True, blank=True, help_text="按米放号时每个号占用的米数"
    )
    named_on = models.DateField("命名/更名时间", null=True, blank=True)
    approved_by = models.CharField("批准机关", max_length=100, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=1, db_default=1, editable=False)

    class Meta:
        verbose_name = "街路巷"
        verbose_name_plural = "街路巷"
        ordering = ["name"]
        # 街路巷 names must not repeat within one urban area (地名管理条例).
        constraints = [models.UniqueConstraint(fields=["name"], name="street_name_unique")]
        indexes = [models.Index(fields=["township"]), GistIndex(fields=["line_4552"])]
        triggers = [version_bump_trigger()]

    def __str__(self) -> str:
        return self.name


class StreetFormerName(models.Model):
    """A name the street used to have (曾用名), with the period it was used."""

    street = models.ForeignKey(Street, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField("曾用名", max_length=50)
    used_from = models.DateField("启用时间", null=True, blank=True)
    used_to = models.DateField("停用时间")

    class Meta:
        verbose_name = "街路巷曾用名"
        verbose_name_plural = "街路巷曾用名"
        ordering = ["street", "-used_to"]

    def __str__(self) -> str:
        return f"{self.name}（至 {self.used_to}）"


@pghistory.track(*history_trackers(), exclude=["point_4552", "point_3857"])
class StreetSign(models.Model):
    """A street sign (路牌): lightbox, single-post or other."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="signs")
    kind = models.CharField("类型", max_length=10, choices=SignKind.choices)
    text_zh = models.CharField("牌面中文", max_length=50)
    text_pinyin = models.CharField("牌面拼音", max_length=120, blank=True)
    point_4490 = models.PointField("位置", srid=4490)
    point_4552 = _metric("point_4490", models.PointField)
    point_3857 = _tile("point_4490", models.PointField)
    installed_on = models.DateField("安装时间", null=True, blank=True)
    condition = models.CharField(
        "现状", max_length=10, choices=Condition.choices, default=Condition.GOOD
    )
    status = models.CharField(
        "状态", max_length=10, choices=SignStatus.choices, default=SignStatus.INSTALLED
    )
    is_demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=1, db_default=1, editable=False)

    class Meta:
        verbose_name = "路牌"
        verbose_name_plural = "路牌"
        ordering = ["street", "id"]
        indexes = [
            models.Index(fields=["street", "status"]),
            GistIndex(fields=["point_4552"]),
            GistIndex(fields=["point_3857"]),
        ]
        triggers = [version_bump_trigger()]

    def __str__(self) -> str:
        return f"{self.text_zh} {self.get_kind_display()} #{self.pk}"


class SignInspection(models.Model):
    """One inspection (巡检) of a street sign."""

    sign = models.ForeignKey(StreetSign, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField("巡检日期")
    condition = models.CharField("现状", max_length=10, choices=Condition.choices)
    inspector = models.CharField("巡检人", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "路牌巡检记录"
        verbose_name_plural = "路牌巡检记录"
        ordering = ["sign", "-inspected_on"]
        indexes = [models.Index(fields=["sign", "-inspected_on"])]


@pghistory.track(*history_trackers(), exclude=["point_4552", "point_3857"])
class DoorPlate(models.Model):
    """A door plate (门牌): street + number (+ sub-number 之一/附号) at a point."""

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="plates")
    number = models.PositiveIntegerField("门牌号")
    # 0 = none; 1 = 之一 (附1号), 2 = 之二 …: kept apart so numbers sort and compare as numbers.
    sub_number = models.PositiveSmallIntegerField("副号", default=0)
    building = models.CharField("楼栋", max_length=20, blank=True)
    unit = models.CharField("单元", max_length=20, blank=True)
    name_on_plate = models.CharField(
        "牌面街路名", max_length=50, help_text="门牌上印制的街路巷名称"
    )
    point_4490 = models.PointField("位置", srid=4490)
    point_4552 = _metric("point_4490", models.PointField)
    point_3857 = _tile("point_4490", models.PointField)
    side = models.CharField("所在侧", max_length=5, choices=Side.choices)
    status = models.CharField(
        "状态", max_length=10, choices=PlateStatus.choices, default=PlateStatus.INSTALLED
    )
    installed_on = models.DateField("安装时间", null=True, blank=True)
    retired_on = models.DateField("注销时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=1, db_default=1, editable=False)

    class Meta:
        verbose_name = "门牌"
        verbose_name_plural = "门牌"
        ordering = ["street", "number", "sub_number"]
        # No unique constraint on the number: surveyed legacy plates do carry duplicates,
        # which the checks report; the services refuse to *create* one (street row lock).
        indexes = [
            models.Index(fields=["street", "number", "sub_number"]),
            models.Index(fields=["status"]),
            GistIndex(fields=["point_4552"]),
            GistIndex(fields=["point_3857"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="plate_number_positive"),
            models.CheckConstraint(
                condition=Q(retired_on__isnull=True)
                | Q(installed_on__isnull=True)
                | Q(retired_on__gte=models.F("installed_on")),
                name="plate_retired_after_installed",
            ),
        ]
        triggers = [version_bump_trigger()]

    def __str__(self) -> str:
        return f"{self.name_on_plate}{format_number(self.number, self.sub_number)}"


class AddressTile(models.Model):
    """A cached Mapbox vector tile; edits delete the tiles that cover them."""

    layer = models.CharField(max_length=20)
    z = models.PositiveSmallIntegerField()
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "矢量瓦片缓存"
        verbose_name_plural = "矢量瓦片缓存"
        constraints = [models.UniqueConstraint(fields=["layer", "z", "x", "y"], name="tile_unique")]
