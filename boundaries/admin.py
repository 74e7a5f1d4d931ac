from django.contrib import admin

from boundaries.admin_forms import BoundaryLineAdminForm, BoundaryMarkerAdminForm
from boundaries.models import (
    AdjustmentArea,
    AdministrativeArea,
    AreaPopulation,
    BoundaryDocument,
    BoundaryLine,
    BoundaryMarker,
    BoundaryVersion,
    ConversionRun,
    DivisionAdjustment,
    InspectionParticipant,
    JointInspection,
    LineParty,
    MarkerFinding,
    TransformationParameterSet,
)
from gis_portal.admin_base import OfflineGISModelAdmin
from gis_portal.editing.admin_scope import ScopedAdminMixin
from gis_portal.editing.admin_versioning import VersionCheckedAdminMixin
from gis_portal.history import history_context


class HistoryCommentAdminMixin:
    """Record admin saves and deletes with who and through which path."""

    def save_model(self, request, obj, form, change):
        with history_context(user=request.user, comment="管理后台修改", source="admin"):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with history_context(user=request.user, comment="管理后台删除", source="admin"):
            super().delete_model(request, obj)


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(VersionCheckedAdminMixin, OfflineGISModelAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "kind",
        "parent",
        "valid_from",
        "valid_to",
        "geom_is_demo",
        "is_demo",
    )
    list_filter = ("level", "code_authority", "is_neighbour", "geom_is_demo", "is_demo")
    search_fields = ("code", "name", "nbs_code")
    raw_id_fields = ("parent",)


@admin.register(AreaPopulation)
class AreaPopulationAdmin(admin.ModelAdmin):
    list_display = ("area", "census_year", "population", "age_60_plus", "age_0_14")
    list_filter = ("census_year",)


class MarkerInline(admin.TabularInline):
    model = BoundaryMarker
    fields = (
        "number",
        "sequence",
        "type_code",
        "kind",
        "material",
        "original_crs",
        "converted_with",
    )
    readonly_fields = ("converted_with",)
    extra = 0
    show_change_link = True


class PartyInline(admin.TabularInline):
    model = LineParty
    raw_id_fields = ("area",)
    extra = 0


@admin.register(BoundaryLine)
class BoundaryLineAdmin(
    ScopedAdminMixin, VersionCheckedAdminMixin, HistoryCommentAdminMixin, OfflineGISModelAdmin
):
    form = BoundaryLineAdminForm
    scope_layer_key = "boundary-lines"
    list_display = (
        "code",
        "name",
        "area_a",
        "area_b",
        "agreement_ref",
        "original_crs",
        "converted_with",
        "is_demo",
    )
    list_filter = ("level", "original_crs", "is_demo")
    search_fields = ("code", "name", "agreement_ref")
    raw_id_fields = ("area_a", "area_b")
    readonly_fields = ("converted_with", "converted_at")
    inlines = [PartyInline, MarkerInline]


@admin.register(BoundaryMarker)
class BoundaryMarkerAdmin(
    ScopedAdminMixin, VersionCheckedAdminMixin, HistoryCommentAdminMixin, OfflineGISModelAdmin
):
    form = BoundaryMarkerAdminForm
    scope_layer_key = "boundary-markers"
    list_display = (
        "number",
        "line",
        "type_code",
        "material",
        "original_crs",
        "cgcs_crs",
        "is_demo",
    )
    list_filter = ("type_code", "kind", "original_crs", "is_demo")
    search_fields = ("number", "description")
    raw_id_fields = ("line",)
    readonly_fields = ("converted_with", "converted_at", "cgcs_x_m", "cgcs_y_m", "cgcs_crs")


@admin.register(TransformationParameterSet)
class TransformationParameterSetAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "model",
        "source_crs",
        "target_crs",
        "rms_m",
        "check_rms_m",
        "approved_by",
        "approved_at",
        "is_demo",
    )
    list_filter = ("model", "is_demo")
    # The evidence of a fit is not edited by hand: refit instead.
    readonly_fields = (
        "model",
        "parameters",
        "source_crs",
        "target_crs",
        "pipeline",
        "common_points",
        "residuals_m",
        "rejected",
        "check_residuals_m",
        "rms_m",
        "check_rms_m",
        "warnings",
        "approved_by",
        "approved_at",
    )


class ParticipantInline(admin.TabularInline):
    model = InspectionParticipant
    raw_id_fields = ("area",)
    extra = 0


class FindingInline(admin.TabularInline):
    model = MarkerFinding
    raw_id_fields = ("marker",)
    extra = 0


@admin.register(JointInspection)
class JointInspectionAdmin(admin.ModelAdmin):
    list_display = ("line", "inspected_on", "next_due", "recorded_by", "is_demo")
    list_filter = ("is_demo",)
    raw_id_fields = ("line",)
    inlines = [ParticipantInline, FindingInline]


@admin.register(BoundaryVersion)
class BoundaryVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "source_crs", "loaded_at", "is_demo")


@admin.register(ConversionRun)
class ConversionRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "parameter_set", "run_at", "run_by")
    readonly_fields = ("parameter_set", "run_by", "report")


@admin.register(BoundaryDocument)
class BoundaryDocumentAdmin(admin.ModelAdmin):
    # Uploaded through the line and inspection pages (type and size checked, hashed).
    list_display = ("title", "kind", "line", "inspection", "size_bytes", "uploaded_at", "is_demo")
    list_filter = ("kind", "is_demo")
    raw_id_fields = ("line", "inspection")
    readonly_fields = ("size_bytes", "sha256", "uploaded_by")


class AdjustmentAreaInline(admin.TabularInline):
    model = AdjustmentArea
    raw_id_fields = ("area",)
    extra = 0


@admin.register(DivisionAdjustment)
class DivisionAdjustmentAdmin(admin.ModelAdmin):
    # Written by an approved change request; the record of what changed, kept as it was.
    list_display = ("kind", "effective_on", "approval_ref", "change_request_id", "is_demo")
    list_filter = ("kind", "is_demo")
    readonly_fields = ("kind", "effective_on", "approval_ref", "plan", "change_request_id")
    inlines = [AdjustmentAreaInline]
