"""Place-name archive of the second national census, and reference gazetteers."""

import pghistory
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db.models import F, Q

from gis_portal.history import history_trackers, version_bump_trigger
from placenames.culture import MEDIA_TYPES

# The derived search keys (rewritten from the names by the services) are left out of the
# history: a refresh of the keys is no change of the record.
_UNTRACKED_KEYS = ["search_names", "pinyin_key", "pinyin_initials", "fuzzy_keys", "updated_at"]


class GeoNamesPlace(models.Model):
    """A populated place from GeoNames cities1000 (CC-BY 4.0), kept as a reference layer."""

    geonames_id = models.PositiveIntegerField("GeoNames ID", unique=True)
    name = models.CharField("名称(罗马字)", max_length=200)
    name_zh = models.CharField("中文名", max_length=100, blank=True)
    alternate_names = models.TextField("别名", blank=True)
    feature_code = models.CharField("要素代码", max_length=10)
    population = models.PositiveIntegerField("人口", default=0)
    geom_4490 = models.PointField("位置", srid=4490)
    source = models.CharField("数据来源", max_length=200)

    class Meta:
        verbose_name = "GeoNames 地点"
        verbose_name_plural = "GeoNames 地点"
        ordering = ["-population", "name"]

    def __str__(self) -> str:
        return self.name_zh or self.name


class PlaceCategory(models.Model):
    """A place-name class of GB/T 18521 as used by the 2nd national census (a code table).

    Rows come from ``placenames/data/categories.csv`` (loaded by migration 0003 and again,
    idempotently, by ``categories_load``); nothing here hard-wires a code.
    """

    code = models.CharField("类别代码", max_length=5, unique=True)
    name = models.CharField("类别名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    census_class = models.CharField("普查大类", max_length=20, blank=True)
    confidence = models.CharField(
        "来源可信度", max_length=1, default="C", help_text="C 已核实 / P 部分 / M 待核实"
    )

    class Meta:
        verbose_name = "地名类别"
        verbose_name_plural = "地名类别"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PlaceNameStatus(models.TextChoices):
    IN_USE = "in_use", "现今使用"
    HISTORICAL = "historical", "历史地名"
    ABOLISHED = "abolished", "已废止"


class SurveyMethod(models.TextChoices):
    SURVEYED = "surveyed", "实测"
    GRAPHICAL = "graphical", "图解"


@pghistory.track(*history_trackers(), exclude=_UNTRACKED_KEYS)
class PlaceName(models.Model):
    """One record of the place-name archive (2nd national census registration form).

    Every write from every path lands in PlaceNameEvent by row trigger, and ``version`` is
    bumped by trigger on every UPDATE (optimistic locking for the editor and the API).
    """

    place_code = models.CharField("地名代码", max_length=20, unique=True)
    standard_name = models.CharField("标准名称", max_length=100, db_index=True)
    abbreviation = models.CharField("简称", max_length=50, blank=True)
    pinyin = models.CharField(
        "罗马字母拼写", max_length=300, blank=True, help_text="留空则按 1984 年规则自动拼写"
    )
    generic_pinyin = models.CharField("通名罗马字母拼写", max_length=60, blank=True)
    pinyin_needs_check = models.BooleanField("拼写需人工核对", default=False)
    ethnic_script = models.CharField("民族文字", max_length=200, blank=True)
    category = models.ForeignKey(
        PlaceCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="places"
    )
    division = models.ForeignKey(
        "boundaries.AdministrativeArea",
        verbose_name="所在行政区",
        on_delete=models.PROTECT,
        related_name="place_names",
    )
    other_divisions = models.ManyToManyField(
        "boundaries.AdministrativeArea",
        verbose_name="所跨行政区",
        blank=True,
        related_name="crossing_place_names",
    )
    status = models.CharField(
        "使用状态", max_length=12, choices=PlaceNameStatus.choices, default=PlaceNameStatus.IN_USE
    )
    named_on = models.DateField("命名时间", null=True, blank=True)
    established_year = models.PositiveSmallIntegerField("设立年份", null=True, blank=True)
    abolished_on = models.DateField("废止时间", null=True, blank=True)
    origin = models.TextField("来历", blank=True)
    meaning = models.TextField("地名含义", blank=True)
    history = models.TextField("历史沿革", blank=True)
    description = models.TextField("地理实体描述", blank=True)
    # Point, line or polygon as surveyed; point_4490 is a point on the entity (labels, KNN).
    geom_4490 = models.GeometryField("地理实体", srid=4490, null=True, blank=True)
    point_4490 = models.PointField("代表点", srid=4490, null=True, blank=True)
    coordinate_system = models.CharField("坐标系", max_length=20, default="CGCS2000")
    survey_method = models.CharField(
        "测量方法", max_length=10, choices=SurveyMethod.choices, blank=True
    )
    media_note = models.CharField("多媒体/读音", max_length=300, blank=True)
    source = models.CharField("资料来源", max_length=300, blank=True)
    remarks = models.TextField("备注", blank=True)
    registered_on = models.DateField("登记时间", null=True, blank=True)
    registrar = models.CharField("登记人", max_length=50, blank=True)
    registering_unit = models.CharField("登记单位", max_length=100, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    # Search keys written by the services from standard_name and the aliases (not edited).
    search_names = models.TextField("检索名称", blank=True, editable=False)
    pinyin_key = models.CharField("检索拼音", max_length=300, blank=True, editable=False)
    pinyin_initials = models.CharField("拼音首字母", max_length=100, blank=True, editable=False)
    fuzzy_keys = ArrayField(
        models.CharField(max_length=300), verbose_name="容错键", default=list, editable=False
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "地名"
        verbose_name_plural = "地名"
        ordering = ["place_code"]
        triggers = [version_bump_trigger()]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(
                fields=["pinyin_key"],
                name="placename_pinyin_key_like",
                opclasses=["text_pattern_ops"],
            ),
            models.Index(
                fields=["pinyin_initials"],
                name="placename_initials_like",
                opclasses=["text_pattern_ops"],
            ),
            GinIndex(fields=["fuzzy_keys"], name="placename_fuzzy_keys_gin"),
        ]

    def __str__(self) -> str:
        return f"{self.standard_name} ({self.place_code})"


class AliasKind(models.TextChoices):
    ALIAS = "alias", "别名"
    FORMER = "former", "曾用名"


@pghistory.track(*history_trackers())
class PlaceNameAlias(models.Model):
    """An alias or former name of a place, with the period it was in use."""

    place = models.ForeignKey(PlaceName, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=AliasKind.choices)
    pinyin = models.CharField("罗马字母拼写", max_length=300, blank=True)
    valid_from = models.DateField("起用时间", null=True, blank=True)
    valid_to = models.DateField("停用时间", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "别名/曾用名"
        verbose_name_plural = "别名/曾用名"
        ordering = ["place", "valid_from", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "name", "kind"], name="placename_alias_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="placename_alias_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


# ---- place-name signs of every kind (not only street signs) ------------------------------


class PlaceSignKind(models.TextChoices):
    """The sign a place of a category carries (placenames/sign_coverage.py maps categories)."""

    STREET = "street", "街路巷路牌"
    VILLAGE = "village", "村名牌"
    RESIDENTIAL = "residential", "居民区标志牌"
    BRIDGE = "bridge", "桥名牌"
    AREA = "area", "区片地名标志"


class PlaceSignStatus(models.TextChoices):
    PLANNED = "planned", "待制作"
    INSTALLED = "installed", "在用"
    REMOVED = "removed", "已拆除"


class PlaceSignCondition(models.TextChoices):
    GOOD = "good", "完好"
    WORN = "worn", "褪色/轻微损坏"
    DAMAGED = "damaged", "损坏"


@pghistory.track(*history_trackers())
class PlaceSign(models.Model):
    """A place-name sign (地名标志) of a village, residential area, bridge or other place.

    Street signs stay in addresses.StreetSign (they hang on a street line); a street's
    archive record counts as signed by either. The sign standard (GB 17733: 3/5 Chinese
    over 2/5 pinyin) fixes the text, so the plate carries the standard name and its pinyin.
    """

    place = models.ForeignKey(
        PlaceName, verbose_name="地名", on_delete=models.PROTECT, related_name="signs"
    )
    kind = models.CharField("标志类型", max_length=12, choices=PlaceSignKind.choices)
    text_zh = models.CharField("牌面中文", max_length=100)
    text_pinyin = models.CharField("牌面拼音", max_length=300, blank=True)
    point_4490 = models.PointField("位置", srid=4490, null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=PlaceSignStatus.choices, default=PlaceSignStatus.INSTALLED
    )
    condition = models.CharField(
        "现状", max_length=10, choices=PlaceSignCondition.choices, default=PlaceSignCondition.GOOD
    )
    installed_on = models.DateField("安装时间", null=True, blank=True)
    removed_on = models.DateField("拆除时间", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "地名标志"
        verbose_name_plural = "地名标志"
        ordering = ["place", "id"]
        indexes = [models.Index(fields=["place", "kind", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True)
                | Q(installed_on__isnull=True)
                | Q(removed_on__gte=F("installed_on")),
                name="placesign_removed_after_installed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text_zh} {self.get_kind_display()}"


# ---- culture of the archive: media and the register of names to protect ------------------


class MediaKind(models.TextChoices):
    PHOTO = "photo", "照片"
    SCAN = "scan", "扫描档案"
    PRONUNCIATION = "pronunciation", "读音录音"


@pghistory.track(*history_trackers())
class PlaceNameMedia(models.Model):
    """A photo, a scanned document or a recorded pronunciation of a place name.

    Written only by ``placename_media_add`` (placenames/services/culture.py), which checks the
    size and sniffs the type from the content, never from the file name.
    """

    place = models.ForeignKey(
        PlaceName, verbose_name="地名", on_delete=models.CASCADE, related_name="media"
    )
    kind = models.CharField("类型", max_length=14, choices=MediaKind.choices)
    title = models.CharField("标题", max_length=100)
    credit = models.CharField("来源/拍摄者", max_length=100, blank=True)
    file = models.FileField("文件", upload_to="placenames/media/%Y/")
    thumbnail = models.FileField("缩略图", upload_to="placenames/thumbs/%Y/", blank=True)
    content_type = models.CharField("文件格式", max_length=50)
    size_bytes = models.PositiveBigIntegerField("文件大小（字节）")
    width_px = models.PositiveIntegerField("宽（像素）", null=True, blank=True)
    height_px = models.PositiveIntegerField("高（像素）", null=True, blank=True)
    sha256 = models.CharField("校验值", max_length=64)
    uploaded_by = models.CharField("上传人", max_length=150, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "地名多媒体"
        verbose_name_plural = "地名多媒体"
        ordering = ["place", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.place.standard_name} {self.get_kind_display()}：{self.title}"

    @property
    def type_label(self) -> str:
        """Return the checked format in words (JPEG 图片, PDF 文档 …)."""
        return next(
            (t.label for t in MEDIA_TYPES.values() if t.content_type == self.content_type),
            self.content_type,
        )


class ProtectionReason(models.TextChoices):
    HISTORIC = "historic", "历史地名"
    CENTURY = "century", "使用百年以上"
    CULTURAL = "cultural", "具有重要历史文化价值"


@pghistory.track(*history_trackers())
class ProtectedName(models.Model):
    """An entry of the register of names to protect (地名保护名录), with its reason."""

    place = models.OneToOneField(
        PlaceName, verbose_name="地名", on_delete=models.PROTECT, related_name="protection"
    )
    reason_kind = models.CharField("保护类别", max_length=10, choices=ProtectionReason.choices)
    reason = models.TextField("保护理由")
    in_use_since_year = models.PositiveSmallIntegerField("始用年份", null=True, blank=True)
    listed_on = models.DateField("列入时间")
    listed_by = models.CharField("列入单位/人", max_length=100, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "地名保护名录"
        verbose_name_plural = "地名保护名录"
        ordering = ["place"]

    def __str__(self) -> str:
        return f"{self.place.standard_name}（{self.get_reason_kind_display()}）"
