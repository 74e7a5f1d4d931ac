"""Administrative areas of Hegang and the census figures attached to them."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import Q


class AreaLevel(models.TextChoices):
    CITY = "city", "地级市"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡级"
    VILLAGE = "village", "村级"


# Order of levels from the top; used to sort "areas at a point" and to check parents.
LEVEL_RANK = {AreaLevel.CITY: 0, AreaLevel.COUNTY: 1, AreaLevel.TOWNSHIP: 2, AreaLevel.VILLAGE: 3}


class CodeAuthority(models.TextChoices):
    # The civil-affairs (民政) code is the key of the archive; the statistics (统计) code is
    # a cross-reference, and the key only for units MCA does not list (farms, forest bureaus,
    # villages and communities, which MCA codes do not reach).
    MCA = "mca", "民政区划代码"
    NBS = "nbs", "统计用区划代码"


class AdministrativeArea(models.Model):
    """A city, county-level, township-level or village/community unit."""

    code = models.CharField("区划代码", max_length=12)
    code_authority = models.CharField(
        "代码来源", max_length=3, choices=CodeAuthority.choices, default=CodeAuthority.MCA
    )
    nbs_code = models.CharField("统计用区划代码", max_length=12, blank=True, db_index=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=AreaLevel.choices)
    kind = models.CharField(
        "类型", max_length=20, blank=True, help_text="区/县/街道/镇/乡/社区/村…"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Empty where no public polygon exists (townships and villages in the demo data).
    geom_4490 = models.MultiPolygonField("边界", srid=4490, null=True, blank=True)
    source = models.CharField("数据来源", max_length=200)
    is_demo = models.BooleanField("演示数据", default=False)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("废止日期", null=True, blank=True)

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="area_current_code_unique"
            ),
        ]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AreaPopulation(models.Model):
    """Census population of one area (the 7th national census, 2020, by county)."""

    area = models.ForeignKey(
        AdministrativeArea, on_delete=models.CASCADE, related_name="populations"
    )
    census_year = models.PositiveSmallIntegerField("普查年份")
    population = models.PositiveIntegerField("常住人口")
    urban_share = models.FloatField("城镇化率", null=True, blank=True)
    age_0_14 = models.PositiveIntegerField("0-14岁", null=True, blank=True)
    age_15_64 = models.PositiveIntegerField("15-64岁", null=True, blank=True)
    age_60_plus = models.PositiveIntegerField("60岁及以上", null=True, blank=True)
    age_65_plus = models.PositiveIntegerField("65岁及以上", null=True, blank=True)
    age_80_plus = models.PositiveIntegerField("80岁及以上", null=True, blank=True)
    avg_household_size = models.FloatField("平均户规模", null=True, blank=True)
    households_with_65_plus_share = models.FloatField(
        "有65岁及以上成员的户占比", null=True, blank=True
    )
    source = models.CharField("数据来源", max_length=200)

    class Meta:
        verbose_name = "人口普查数据"
        verbose_name_plural = "人口普查数据"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "census_year"], name="population_area_year_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.census_year}: {self.population}"


class AreaPiece(models.Model):
    """A piece of an area's polygon cut by ST_Subdivide (≤ 64 vertices), for fast point lookups.

    Point-in-polygon against a 5,800-vertex city outline costs the same whether or not the
    bounding box index finds it; against small pieces the index does the work. Rebuilt by
    ``area_pieces_rebuild`` whenever an area's geometry is written.
    """

    area = models.ForeignKey(AdministrativeArea, on_delete=models.CASCADE, related_name="pieces")
    geom_4490 = models.PolygonField(srid=4490)

    class Meta:
        verbose_name = "区域分块"
        verbose_name_plural = "区域分块"
