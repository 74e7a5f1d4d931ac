"""Facility registry, programmes and their standards, demand units, siting runs and scenarios."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from boundaries.models import AdministrativeArea
from facilities.figures import FIGURES
from gis_portal.history import history_trackers, version_bump_trigger


class TargetPopulation(models.TextChoices):
    ALL = "all", "全部常住人口"
    AGE_60_PLUS = "age_60_plus", "60岁及以上"
    AGE_65_PLUS = "age_65_plus", "65岁及以上"
    AGE_80_PLUS = "age_80_plus", "80岁及以上"
    AGE_0_14 = "age_0_14", "0-14岁儿童"
    RURAL = "rural", "乡村常住人口"
    RURAL_AGE_60_PLUS = "rural_age_60_plus", "乡村60岁及以上"
    CUSTOM = "custom", "自定义字段"

    @classmethod
    def column_of(cls, value: str) -> tuple[str, bool]:
        """Return (demand column, rural only?) of a target; ``custom`` has no column."""
        column, rural = {
            cls.ALL: ("population", False),
            cls.RURAL: ("population", True),
            cls.RURAL_AGE_60_PLUS: ("age_60_plus", True),
        }.get(value, (value, False))
        return column, rural


class DistanceKind(models.TextChoices):
    STRAIGHT = "straight", "直线距离"
    NETWORK = "network", "沿街道距离"


class UnitRule(models.TextChoices):
    NONE = "", "无"
    URBAN_COMMUNITY = "urban_community", "每个城市社区一处"
    TOWNSHIP = "township", "每个乡镇（街道）一处"
    COUNTY = "county", "每个县（区）一处"
    VILLAGE = "village", "每个行政村一处"


class CapacityUnit(models.TextChoices):
    NONE = "", "不计容量"
    BEDS = "beds", "床位"
    PLACES = "places", "托位/名额"
    PLOTS = "plots", "墓穴"


class Programme(models.Model):
    """A service programme and its planning standard; every number is data with its source."""

    slug = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    target_population = models.CharField(
        "服务对象", max_length=20, choices=TargetPopulation.choices, default=TargetPopulation.ALL
    )
    custom_field = models.CharField(
        "自定义人口字段",
        max_length=40,
        blank=True,
        help_text="服务对象为“自定义字段”时，需求单元 extra 中的键名",
    )
    service_distance_m = models.PositiveIntegerField("服务距离（米）")
    distance_kind = models.CharField(
        "距离类型", max_length=10, choices=DistanceKind.choices, default=DistanceKind.STRAIGHT
    )
    capacity_unit = models.CharField(
        "容量单位", max_length=10, choices=CapacityUnit.choices, blank=True
    )
    capacity_per_1000 = models.FloatField(
        "每千名服务对象所需容量", null=True, blank=True, help_text="如每千名老人 40 张床位"
    )
    unit_rule = models.CharField(
        "配置单元规则", max_length=20, choices=UnitRule.choices, blank=True
    )
    plan_target = models.CharField("规划目标", max_length=200, blank=True)
    sources = models.TextField("标准出处", help_text="每个数字的来源（规范条文、规划原文或“待定”）")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "服务项目与标准"
        verbose_name_plural = "服务项目与标准"
        ordering = ["sort_order", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_distance_m__gt=0),
                name="programme_distance_positive",
                violation_error_message="服务距离必须大于 0 米",
            ),
            models.CheckConstraint(
                condition=Q(capacity_per_1000__isnull=True) | Q(capacity_per_1000__gt=0),
                name="programme_capacity_ratio_positive",
                violation_error_message="每千名服务对象所需容量必须大于 0（不设则留空）",
            ),
            models.CheckConstraint(
                condition=~Q(target_population="custom") | ~Q(custom_field=""),
                name="programme_custom_field_named",
                violation_error_message="服务对象为“自定义字段”时须填写自定义人口字段",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityType(models.Model):
    """A facility kind; its standard (distance, capacity ratio, unit rule) is its programme's."""

    programme = models.ForeignKey(
        Programme, verbose_name="服务项目与标准", on_delete=models.PROTECT, related_name="types"
    )
    slug = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    floor_area_m2 = models.PositiveIntegerField(
        "建筑面积等级（平方米）",
        null=True,
        blank=True,
        help_text="如社区综合服务设施 500/1000/2000",
    )
    counts_for_unit_rule = models.BooleanField(
        "计入配置单元规则",
        default=True,
        help_text="否：如市级孵化基地、区域共享的儿童福利院，不算作某县（区）的一处",
    )
    sources = models.TextField("出处", blank=True)

    class Meta:
        verbose_name = "设施类型"
        verbose_name_plural = "设施类型"
        ordering = ["programme", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_area_m2__isnull=True) | Q(floor_area_m2__gt=0),
                name="facilitytype_floor_area_positive",
                violation_error_message="建筑面积等级必须大于 0",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanPeriod(models.Model):
    """A five-year plan period; a yearly statistic must fall in one."""

    name = models.CharField("规划期", max_length=20, unique=True)
    first_year = models.PositiveSmallIntegerField("起始年")
    last_year = models.PositiveSmallIntegerField("终止年")
    sources = models.TextField("出处", blank=True)

    class Meta:
        verbose_name = "规划期"
        verbose_name_plural = "规划期"
        ordering = ["first_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")),
                name="planperiod_years_ordered",
                violation_error_message="终止年不能早于起始年",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.first_year}–{self.last_year}）"


class Indicator(models.Model):
    """A plan indicator that is not spatial (a rate entered yearly per county, in percent)."""

    slug = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60, unique=True)
    definition = models.CharField("口径", max_length=200, help_text="分子 / 分母")
    sources = models.TextField("出处")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "规划指标"
        verbose_name_plural = "规划指标"
        ordering = ["sort_order", "slug"]

    def __str__(self) -> str:
        return self.name


@pghistory.track(*history_trackers())
class IndicatorValue(models.Model):
    """One county's yearly figure of an indicator; every write lands in IndicatorValueEvent."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values"
    )
    county = models.ForeignKey(
        AdministrativeArea, verbose_name="县（区）", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年份")
    value_percent = models.DecimalField("数值（%）", max_digits=5, decimal_places=2)
    note = models.CharField("备注", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField("填报时间")
    source = models.CharField("填报方式", max_length=200, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "年度指标统计"
        verbose_name_plural = "年度指标统计"
        ordering = ["indicator", "-year", "county"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "county", "year"],
                name="indicatorvalue_one_per_county_year",
                violation_error_message="该县（区）该年份的这一指标已填报：重复的年度数据不写入",
            ),
            models.CheckConstraint(
                condition=Q(value_percent__gte=0) & Q(value_percent__lte=100),
                name="indicatorvalue_percent_range",
                violation_error_message="数值应在 0–100% 之间",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"


class TargetMeasure(models.TextChoices):
    COUNT = "count", "设施数量"
    UNIT_COVERAGE = "unit_coverage", "配置单元覆盖率"
    PER_UNIT = "per_unit", "设施数 / 单元数"
    CAPACITY_RATIO = "capacity_ratio", "每千名服务对象容量"
    SERVED_SHARE = "served_share", "服务覆盖率（仅供参考）"
    INDICATOR = "indicator", "年度指标"


class TargetBasis(models.TextChoices):
    TARGET = "target", "“十四五”目标"
    BASELINE = "baseline", "“十三五”已建成（应不少于）"


class PlanTarget(models.Model):
    """One of the plan's targets and how the registry or the statistics measure it."""

    key = models.SlugField("代码", max_length=60, unique=True)
    label = models.CharField("名称", max_length=100)
    measure = models.CharField("计量方式", max_length=20, choices=TargetMeasure.choices)
    programme = models.ForeignKey(
        Programme, verbose_name="服务项目", on_delete=models.CASCADE, null=True, blank=True
    )
    facility_types = models.ManyToManyField(FacilityType, verbose_name="设施类型", blank=True)
    with_building = models.BooleanField("含在建设施", default=False)
    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, null=True, blank=True
    )
    goal = models.FloatField(
        "目标值", null=True, blank=True, help_text="数量、百分比或每千人容量；空 = 规划未给出数值"
    )
    basis = models.CharField("性质", max_length=10, choices=TargetBasis.choices)
    period = models.ForeignKey(PlanPeriod, verbose_name="规划期", on_delete=models.PROTECT)
    sources = models.TextField("出处")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "规划目标"
        verbose_name_plural = "规划目标"
        ordering = ["sort_order", "key"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(measure="indicator") | Q(indicator__isnull=False),
                name="plantarget_indicator_named",
                violation_error_message="计量方式为“年度指标”时须选择指标",
            ),
            models.CheckConstraint(
                condition=~Q(
                    measure__in=["unit_coverage", "per_unit", "capacity_ratio", "served_share"]
                )
                | Q(programme__isnull=False),
                name="plantarget_programme_named",
                violation_error_message="该计量方式须选择服务项目",
            ),
            models.CheckConstraint(
                condition=Q(goal__isnull=True) | Q(goal__gte=0),
                name="plantarget_goal_not_negative",
                violation_error_message="目标值不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class FacilityStatus(models.TextChoices):
    PLANNED = "planned", "规划"
    UNDER_CONSTRUCTION = "building", "在建"
    OPEN = "open", "运营"
    CLOSED = "closed", "停用"


class Operator(models.TextChoices):
    PUBLIC = "public", "公办"
    PRIVATE = "private", "民办"
    PUBLIC_BUILT_PRIVATE_RUN = "pbpr", "公建民营"


@pghistory.track(*history_trackers())
class Facility(models.Model):
    """A civil-affairs facility at a point (CGCS2000).

    Editable in the map editor: ``version`` is bumped by a trigger on every UPDATE and every
    write lands in FacilityEvent (pghistory), as for the boundary layers.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="facilities")
    facility_type = models.ForeignKey(
        FacilityType, verbose_name="类型", on_delete=models.PROTECT, related_name="facilities"
    )
    name = models.CharField("名称", max_length=100)
    place_name = models.ForeignKey(
        "placenames.PlaceName",
        verbose_name="地名档案记录",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilities",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    position_4490 = models.PointField("位置", srid=4490)
    county = models.ForeignKey(
        AdministrativeArea,
        verbose_name="所在县（区）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    community = models.ForeignKey(
        AdministrativeArea,
        verbose_name="所在社区/村",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="配置单元规则（每社区一处）按此字段检查",
    )
    status = models.CharField(
        "状态", max_length=10, choices=FacilityStatus.choices, default=FacilityStatus.OPEN
    )
    planned_on = models.DateField("规划日期", null=True, blank=True)
    construction_started_on = models.DateField("开工日期", null=True, blank=True)
    opened_on = models.DateField("启用日期", null=True, blank=True)
    closed_on = models.DateField("停用日期", null=True, blank=True)
    capacity = models.PositiveIntegerField("容量", null=True, blank=True)
    capacity_unit = models.CharField(
        "容量单位", max_length=10, choices=CapacityUnit.choices, blank=True
    )
    site_area_m2 = models.PositiveIntegerField("占地面积（平方米）", null=True, blank=True)
    operator = models.CharField(
        "运营方式", max_length=10, choices=Operator.choices, default=Operator.PUBLIC
    )
    source = models.CharField("数据来源", max_length=200, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "民政设施"
        verbose_name_plural = "民政设施"
        ordering = ["programme", "name"]
        indexes = [models.Index(fields=["programme", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="facility_closed_after_opened",
            ),
        ]
        triggers = [version_bump_trigger()]

    def __str__(self) -> str:
        return self.name


class DemandSource(models.TextChoices):
    DOOR_PLATES = "door_plates", "门牌"
    GRID = "grid", "城区网格"
    SETTLEMENTS = "settlements", "农村居民点"
    IMPORT = "import", "导入"


class DemandUnit(models.Model):
    """A demand location with its population by age group (census-derived or imported)."""

    code = models.CharField("编号", max_length=40, unique=True)
    county = models.ForeignKey(
        AdministrativeArea, verbose_name="县（区）", on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        AdministrativeArea,
        verbose_name="乡镇（街道）",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    community = models.ForeignKey(
        AdministrativeArea,
        verbose_name="社区/村",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position_4490 = models.PointField("位置", srid=4490)
    area_4490 = models.MultiPolygonField("范围", srid=4490, null=True, blank=True)
    is_urban = models.BooleanField("城镇", default=True)
    population = models.PositiveIntegerField("常住人口")
    age_0_14 = models.PositiveIntegerField("0-14岁", default=0)
    age_60_plus = models.PositiveIntegerField("60岁及以上", default=0)
    age_65_plus = models.PositiveIntegerField("65岁及以上", default=0)
    age_80_plus = models.PositiveIntegerField("80岁及以上", default=0)
    extra = models.JSONField("其他人口字段", default=dict, blank=True)
    source = models.CharField("来源", max_length=20, choices=DemandSource.choices)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "需求单元"
        verbose_name_plural = "需求单元"
        ordering = ["code"]
        indexes = [models.Index(fields=["county"])]

    def __str__(self) -> str:
        return self.code


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    DONE = "done", "完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class SitingRun(models.Model):
    """A background siting run: its progress and cancel flag. Results land in a Scenario."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="runs")
    name = models.CharField("方案名称", max_length=100)
    parameters = models.JSONField("参数")
    status = models.CharField(
        "状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.FloatField("进度", default=0.0)
    message = models.CharField("说明", max_length=500, blank=True)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    job_id = models.BigIntegerField("任务编号", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "选址计算"
        verbose_name_plural = "选址计算"
        ordering = ["-created_at"]


class Scenario(models.Model):
    """A finished siting run: its inputs and results, saved in one transaction."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="scenarios")
    run = models.OneToOneField(
        SitingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="scenario"
    )
    name = models.CharField("方案名称", max_length=100)
    model = models.CharField("模型", max_length=10)
    parameters = models.JSONField("参数")
    result = models.JSONField("结果")
    served_before = models.FloatField(
        FIGURES["served_before"].label, help_text=FIGURES["served_before"].definition
    )
    served_after = models.FloatField(
        FIGURES["served_after"].label, help_text=FIGURES["served_after"].definition
    )
    target_population = models.FloatField("服务对象总数")
    new_sites = models.JSONField("新增站点", default=list)
    new_capacity = models.FloatField("新增容量", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "选址方案"
        verbose_name_plural = "选址方案"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
