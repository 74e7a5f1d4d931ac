"""Change requests (proposal → review → approved/rejected → published) and announcements."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class ChangeKind(models.TextChoices):
    NAMING = "naming", "地名命名"
    RENAMING = "renaming", "地名更名"
    ABOLISHING = "abolishing", "地名销名"
    BOUNDARY_LINE = "boundary_line", "界线变更"
    BOUNDARY_MARKER = "boundary_marker", "界桩变更"
    DIVISION = "division", "区划调整"


class ChangeAction(models.TextChoices):
    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"


class ChangeStatus(models.TextChoices):
    PROPOSAL = "proposal", "已提交"
    REVIEW = "review", "审查中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    PUBLISHED = "published", "已公告"


class DocumentKind(models.TextChoices):
    # 地名管理条例实施办法 Art. 5: naming/renaming under Art. 11(2) needs these three reports.
    ASSESSMENT = "assessment", "综合评估报告"
    EXPERT_REVIEW = "expert_review", "专家论证报告"
    CONSULTATION = "consultation", "征求意见报告"
    SURVEY = "survey", "勘测资料"
    AGREEMENT = "agreement", "界线协议书"
    APPROVAL = "approval", "批准文件"
    OTHER = "other", "其他"


# Documents without which a request of this kind cannot be approved.
REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    ChangeKind.NAMING: (
        DocumentKind.ASSESSMENT,
        DocumentKind.EXPERT_REVIEW,
        DocumentKind.CONSULTATION,
    ),
    ChangeKind.RENAMING: (
        DocumentKind.ASSESSMENT,
        DocumentKind.EXPERT_REVIEW,
        DocumentKind.CONSULTATION,
    ),
    # 地名管理条例 Art. 22: a name is cancelled when its entity is gone — the survey shows it.
    ChangeKind.ABOLISHING: (DocumentKind.SURVEY,),
    # 行政区域界线管理条例: a line changes by the agreement of both sides; a marker is moved
    # on a survey (recorded in the joint inspection).
    ChangeKind.BOUNDARY_LINE: (DocumentKind.AGREEMENT,),
    ChangeKind.BOUNDARY_MARKER: (DocumentKind.SURVEY,),
    # 行政区划管理条例 (2018): a division changes only by the approving government's decision.
    ChangeKind.DIVISION: (DocumentKind.APPROVAL,),
}


class ChangeRequest(models.Model):
    """A proposed change to one feature of any editable layer (generic target)."""

    kind = models.CharField("类型", max_length=20, choices=ChangeKind.choices)
    action = models.CharField(
        "操作", max_length=10, choices=ChangeAction.choices, default=ChangeAction.UPDATE
    )
    target_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", on_delete=models.PROTECT, related_name="+"
    )
    # Null only for naming a feature that does not exist yet.
    target_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_label = models.CharField("对象", max_length=200, blank=True)
    base_version = models.PositiveIntegerField("提交时的对象版本", null=True, blank=True)
    proposed_data = models.JSONField("拟变更内容", default=dict, blank=True)
    reason = models.TextField("理由")
    status = models.CharField(
        "状态", max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PROPOSAL
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审查时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    approving_authority = models.CharField("批准机关", max_length=100, blank=True)
    published_at = models.DateTimeField("公告时间", null=True, blank=True)
    # Features saved together in one editor session (a line and the markers moved with it)
    # are submitted as one batch and approved or rejected together.
    batch = models.UUIDField("同批申请", null=True, blank=True, db_index=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "变更申请"
        verbose_name_plural = "变更申请"
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["target_type", "target_id", "status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.target_label}"


class ChangeDocument(models.Model):
    """A file attached to a change request (report, survey, agreement)."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField("材料类型", max_length=20, choices=DocumentKind.choices)
    file = models.FileField("文件", upload_to="editing/requests/")
    title = models.CharField("标题", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["request", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}"


class Announcement(models.Model):
    """A published naming, renaming or abolition, with the fields the regulations require."""

    request = models.OneToOneField(
        ChangeRequest,
        verbose_name="变更申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="announcement",
    )
    kind = models.CharField("类型", max_length=20, choices=ChangeKind.choices)
    standard_name = models.CharField("标准名称", max_length=100)
    former_name = models.CharField("原名称", max_length=100, blank=True)
    pinyin = models.CharField("罗马字母拼写", max_length=200)
    division = models.CharField("所属政区", max_length=100)
    location = models.TextField("位置描述")
    approving_authority = models.CharField("批准机关", max_length=100)
    approved_on = models.DateField("批准时间")
    published_at = models.DateTimeField("公告时间")
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        verbose_name = "地名公告"
        verbose_name_plural = "地名公告"
        ordering = ["-approved_on", "-published_at"]

    def __str__(self) -> str:
        return f"{self.standard_name} ({self.approved_on})"
