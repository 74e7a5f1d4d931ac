"""Administrative areas of Hegang and the census figures attached to them."""

from __future__ import annotations

import pghistory
from django.contrib.gis.db import models
from django.db.models import Q

from gis_portal.history import history_trackers, version_bump_trigger


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


@pghistory.track(*history_trackers())
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
    # A real unit (code and name from the division tables) whose polygon was generated for
    # the demo, because no public township polygon exists.
    geom_is_demo = models.BooleanField("边界为演示数据", default=False, db_default=False)
    # A neighbouring city outside Hegang (佳木斯、伊春): kept only as the other party of a
    # boundary line, with no polygon, so it never enters the city's lists or lookups.
    is_neighbour = models.BooleanField("相邻市（不属本市）", default=False, db_default=False)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("废止日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="area_current_code_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "code"]),
            # "What was 230402 on 2015-01-01": every incarnation of a code, by date.
            models.Index(fields=["code", "valid_from"], name="area_code_history"),
        ]
        triggers = [version_bump_trigger()]

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


# --- boundary lines, markers, inspections and CRS conversion -------------------------


class BoundaryVersion(models.Model):
    """A named set of area polygons (e.g. the Amap set, the 2017 echarts snapshot).

    The current areas carry one polygon each; versions keep alternative sets side by side
    so the topology check can list where two sets disagree.
    """

    name = models.CharField("版本名称", max_length=100, unique=True)
    source = models.CharField("数据来源", max_length=300)
    source_crs = models.CharField("原始坐标系", max_length=30, help_text="如 GCJ-02、EPSG:4490")
    is_demo = models.BooleanField("演示数据", default=False)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)

    class Meta:
        verbose_name = "界线数据版本"
        verbose_name_plural = "界线数据版本"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VersionedAreaGeometry(models.Model):
    version = models.ForeignKey(BoundaryVersion, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(AdministrativeArea, on_delete=models.CASCADE, related_name="+")
    geom_4490 = models.MultiPolygonField("边界", srid=4490)

    class Meta:
        verbose_name = "版本中的区域边界"
        verbose_name_plural = "版本中的区域边界"
        constraints = [
            models.UniqueConstraint(fields=["version", "area"], name="versioned_area_unique")
        ]


class TransformationModel(models.TextChoices):
    SEVEN = "7p", "七参数（布尔莎）"
    FOUR = "4p", "四参数（平面）"


class TransformationParameterSet(models.Model):
    """A fitted Beijing 1954 → CGCS2000 parameter set, with its evidence and approval."""

    name = models.CharField("名称", max_length=100)
    model = models.CharField("模型", max_length=2, choices=TransformationModel.choices)
    parameters = models.JSONField(
        "参数", help_text="7p: tx_m…scale_ppm；4p: tx_m, ty_m, scale, rotation_arcsec"
    )
    source_crs = models.CharField("源坐标系", max_length=20)
    target_crs = models.CharField("目标坐标系", max_length=20)
    pipeline = models.TextField("PROJ 管道")
    common_points = models.JSONField("重合点", default=list, help_text="拟合所用的重合点与检查点")
    residuals_m = models.JSONField("残差 (m)", default=dict)
    rejected = models.JSONField("剔除的点", default=list)
    check_residuals_m = models.JSONField("检查点残差 (m)", default=dict)
    rms_m = models.FloatField("重合点 RMS (m)")
    check_rms_m = models.FloatField("检查点 RMS (m)", null=True, blank=True)
    warnings = models.JSONField("警告", default=list)
    fitted_at = models.DateTimeField("拟合时间", auto_now_add=True)
    approved_by = models.CharField("审批人", max_length=100, blank=True)
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "坐标转换参数"
        verbose_name_plural = "坐标转换参数"
        ordering = ["-fitted_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_model_display()})"


@pghistory.track(*history_trackers())
class BoundaryLine(models.Model):
    """An administrative boundary line between two areas (行政区域界线)."""

    code = models.CharField("界线编号", max_length=20, unique=True)
    name = models.CharField("界线名称", max_length=100)
    area_a = models.ForeignKey(
        AdministrativeArea,
        verbose_name="区域甲（代码较小）",
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_b = models.ForeignKey(
        AdministrativeArea, verbose_name="区域乙", on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField("级别", max_length=10, choices=AreaLevel.choices)
    agreement_ref = models.CharField("协议书编号", max_length=100, blank=True)
    agreement_date = models.DateField("协议书签订日期", null=True, blank=True)
    # Null while the line exists only in its original (e.g. Beijing 1954) coordinates.
    geom_4490 = models.MultiLineStringField("界线 (CGCS2000)", srid=4490, null=True, blank=True)
    # The surveyed geometry as delivered, in its own CRS: WKT at full precision, because one
    # column cannot hold several SRIDs (zones 43/44, prefixed or not).
    original_wkt = models.TextField("原始几何 (WKT)", blank=True)
    original_crs = models.CharField("原始坐标系", max_length=20, blank=True)
    converted_with = models.ForeignKey(
        TransformationParameterSet,
        verbose_name="转换参数",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
    )
    converted_at = models.DateTimeField("转换时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "行政区域界线"
        verbose_name_plural = "行政区域界线"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["area_a", "area_b"], name="line_area_pair_unique")
        ]
        triggers = [version_bump_trigger()]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class MarkerType(models.TextChoices):
    Q = "Q", "Q 单立"
    A = "A", "A 同号双立（代码较小一侧）"
    B = "B", "B 同号双立"
    C = "C", "C 同号三立"
    D = "D", "D 同号三立"
    E = "E", "E 同号三立"


class MarkerKind(models.TextChoices):
    SINGLE = "single", "单立"
    PAIRED = "paired", "双立"
    TRIPLE = "triple", "三立"


MARKER_KIND_OF_TYPE = {
    "Q": MarkerKind.SINGLE,
    "A": MarkerKind.PAIRED,
    "B": MarkerKind.PAIRED,
    "C": MarkerKind.TRIPLE,
    "D": MarkerKind.TRIPLE,
    "E": MarkerKind.TRIPLE,
}


@pghistory.track(*history_trackers())
class BoundaryMarker(models.Model):
    """A boundary marker (界桩): number = line code + 3-digit sequence + type letter."""

    line = models.ForeignKey(BoundaryLine, on_delete=models.PROTECT, related_name="markers")
    number = models.CharField("界桩编号", max_length=30, unique=True)
    sequence = models.PositiveSmallIntegerField("序号")
    type_code = models.CharField("类型", max_length=1, choices=MarkerType.choices)
    kind = models.CharField("立法", max_length=10, choices=MarkerKind.choices)
    material = models.CharField("材质", max_length=30, blank=True)
    description = models.TextField("位置描述", blank=True)
    photo = models.FileField("照片", upload_to="boundaries/markers/", blank=True)
    geom_4490 = models.PointField("位置 (CGCS2000)", srid=4490, null=True, blank=True)
    # Plane coordinates in both systems: as surveyed, and in CGCS2000 in the same zone.
    original_x = models.FloatField("原始东坐标/经度", null=True, blank=True)
    original_y = models.FloatField("原始北坐标/纬度", null=True, blank=True)
    original_h = models.FloatField("原始高程 (m)", null=True, blank=True)
    original_crs = models.CharField("原始坐标系", max_length=20, blank=True)
    cgcs_x_m = models.FloatField("CGCS2000 东坐标 (m)", null=True, blank=True)
    cgcs_y_m = models.FloatField("CGCS2000 北坐标 (m)", null=True, blank=True)
    cgcs_crs = models.CharField("CGCS2000 平面坐标系", max_length=20, blank=True)
    converted_with = models.ForeignKey(
        TransformationParameterSet,
        verbose_name="转换参数",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="markers",
    )
    converted_at = models.DateTimeField("转换时间", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "界桩"
        verbose_name_plural = "界桩"
        ordering = ["line__code", "sequence", "type_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "sequence", "type_code"], name="marker_line_seq_type_unique"
            )
        ]
        triggers = [version_bump_trigger()]

    def __str__(self) -> str:
        return self.number


class ConversionRun(models.Model):
    """One run of convert_boundaries: the report, kept for the record."""

    parameter_set = models.ForeignKey(
        TransformationParameterSet, on_delete=models.PROTECT, related_name="runs"
    )
    run_at = models.DateTimeField("执行时间", auto_now_add=True)
    run_by = models.CharField("执行人", max_length=100, blank=True)
    report = models.JSONField("报告")

    class Meta:
        verbose_name = "坐标转换记录"
        verbose_name_plural = "坐标转换记录"
        ordering = ["-run_at"]


JOINT_INSPECTION_INTERVAL_YEARS = (
    5  # 行政区域界线管理条例: every line jointly inspected every 5 years
)


class JointInspection(models.Model):
    """A joint inspection (联检) of one boundary line."""

    line = models.ForeignKey(BoundaryLine, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField("联检日期")
    participants = models.TextField("参加单位及人员")
    summary = models.TextField("结论", blank=True)
    next_due = models.DateField("下次联检到期")
    recorded_by = models.CharField("记录人", max_length=100, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "界线联检"
        verbose_name_plural = "界线联检"
        ordering = ["-inspected_on"]

    def __str__(self) -> str:
        return f"{self.line.code} {self.inspected_on}"


class MarkerState(models.TextChoices):
    INTACT = "intact", "完好"
    DAMAGED = "damaged", "损坏"
    MOVED = "moved", "移位"
    MISSING = "missing", "丢失"


class MarkerFinding(models.Model):
    inspection = models.ForeignKey(
        JointInspection, on_delete=models.CASCADE, related_name="findings"
    )
    marker = models.ForeignKey(BoundaryMarker, on_delete=models.PROTECT, related_name="findings")
    state = models.CharField("状况", max_length=10, choices=MarkerState.choices)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "界桩检查结果"
        verbose_name_plural = "界桩检查结果"
        constraints = [
            models.UniqueConstraint(fields=["inspection", "marker"], name="finding_unique")
        ]


# --- documents, parties and participants ---------------------------------------------


class BoundaryDocumentKind(models.TextChoices):
    AGREEMENT = "agreement", "界线协议书"
    SURVEY = "survey", "勘界测绘成果"
    INSPECTION_REPORT = "inspection_report", "联检报告"
    OTHER = "other", "其他"


class BoundaryDocument(models.Model):
    """A stored file of a boundary line (its agreement 协议书) or of a joint inspection."""

    line = models.ForeignKey(
        BoundaryLine, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    inspection = models.ForeignKey(
        JointInspection,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    kind = models.CharField("材料类型", max_length=20, choices=BoundaryDocumentKind.choices)
    title = models.CharField("标题", max_length=200)
    file = models.FileField("文件", upload_to="boundaries/documents/")
    size_bytes = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.CharField("上传人", max_length=100, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "界线材料"
        verbose_name_plural = "界线材料"
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(line__isnull=False) | Q(inspection__isnull=False),
                name="boundary_document_has_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title


class LineParty(models.Model):
    """One side of a boundary line: the unit and the department that signed its agreement."""

    line = models.ForeignKey(BoundaryLine, on_delete=models.CASCADE, related_name="parties")
    area = models.ForeignKey(
        AdministrativeArea, verbose_name="行政区域", on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("负责部门", max_length=100)
    contact = models.CharField("联系人", max_length=50, blank=True)
    signed_agreement = models.BooleanField("已签署协议书", default=False)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "界线当事方"
        verbose_name_plural = "界线当事方"
        ordering = ["line", "area__code"]
        constraints = [models.UniqueConstraint(fields=["line", "area"], name="line_party_unique")]

    def __str__(self) -> str:
        return f"{self.line.code} {self.area.name}"


class ParticipantRole(models.TextChoices):
    PARTY = "party", "界线当事方"
    NEIGHBOUR = "neighbour", "相邻市"
    DEPARTMENT = "department", "参加部门"
    OBSERVER = "observer", "列席"


class InspectionParticipant(models.Model):
    """Who took part in a joint inspection, for which unit, and whether they signed."""

    inspection = models.ForeignKey(
        JointInspection, on_delete=models.CASCADE, related_name="participant_records"
    )
    person = models.CharField("姓名", max_length=50)
    organisation = models.CharField("单位（部门）", max_length=100)
    area = models.ForeignKey(
        AdministrativeArea,
        verbose_name="代表的行政区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField("身份", max_length=12, choices=ParticipantRole.choices)
    signed = models.BooleanField("已签字", default=False)
    signed_on = models.DateField("签字日期", null=True, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "联检参加人"
        verbose_name_plural = "联检参加人"
        ordering = ["inspection", "role", "organisation"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.person}"


# --- division adjustments ---------------------------------------------------------------


class AdjustmentKind(models.TextChoices):
    MERGE = "merge", "合并"
    SPLIT = "split", "拆分"
    RENAME = "rename", "更名"
    RECODE = "recode", "变更代码"
    MOVE_BOUNDARY = "move_boundary", "调整界线"


class AdjustmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "已批准，待生效"
    APPLIED = "applied", "已生效"


class DivisionAdjustment(models.Model):
    """An approved change of divisions (区划调整), applied on its effective day.

    The units it ends keep their code and polygon with ``valid_to`` the day before; the units
    it creates start on ``effective_on``. Approved ahead of that day it waits as scheduled. ``plan`` is the proposal as submitted (checked by
    ``boundaries.adjustments``).
    """

    kind = models.CharField("调整类型", max_length=15, choices=AdjustmentKind.choices)
    effective_on = models.DateField("生效日期")
    approval_ref = models.CharField("批准文号", max_length=100)
    plan = models.JSONField("调整方案")
    # An adjustment approved before its effective day is kept as scheduled (its plan only,
    # no units linked, nothing changed) and applied on the day by ``manage.py apply_due_adjustments``.
    status = models.CharField(
        "状态", max_length=10, choices=AdjustmentStatus.choices, default=AdjustmentStatus.APPLIED
    )
    change_request_id = models.PositiveBigIntegerField("变更申请编号", null=True, blank=True)
    applied_at = models.DateTimeField("登记时间", auto_now_add=True)
    applied_by = models.CharField("登记人", max_length=100, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "区划调整"
        verbose_name_plural = "区划调整"
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_on}"


class AdjustmentRole(models.TextChoices):
    ENDED = "ended", "撤销（原单位）"
    CREATED = "created", "新设（新单位）"


class AdjustmentArea(models.Model):
    """A unit an adjustment ended or created."""

    adjustment = models.ForeignKey(
        DivisionAdjustment, on_delete=models.CASCADE, related_name="units"
    )
    area = models.ForeignKey(
        AdministrativeArea, on_delete=models.PROTECT, related_name="adjustments"
    )
    role = models.CharField("角色", max_length=10, choices=AdjustmentRole.choices)

    class Meta:
        verbose_name = "区划调整涉及单位"
        verbose_name_plural = "区划调整涉及单位"
        constraints = [
            models.UniqueConstraint(fields=["adjustment", "area"], name="adjustment_area_unique")
        ]
        indexes = [models.Index(fields=["area", "role"])]
