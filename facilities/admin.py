from django import forms
from django.contrib import admin
from django.utils import timezone

from boundaries.models import AreaLevel
from facilities.models import (
    DemandUnit,
    Facility,
    FacilityType,
    Indicator,
    IndicatorValue,
    PlanPeriod,
    PlanTarget,
    Programme,
    Scenario,
    SitingRun,
)
from facilities.services.facilities import county_of
from facilities.services.indicators import parse_year
from gis_portal.admin_base import OfflineGISModelAdmin
from gis_portal.editing.admin_validation import LayerValidatedAdminMixin, layer_validated
from gis_portal.editing.admin_versioning import VersionCheckedAdminMixin


class FacilityTypeInline(admin.TabularInline):
    model = FacilityType
    extra = 0
    fields = ["slug", "name", "floor_area_m2", "counts_for_unit_rule", "sources"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "target_population",
        "service_distance_m",
        "distance_kind",
        "capacity_per_1000",
        "unit_rule",
    ]
    list_editable = ["service_distance_m", "distance_kind", "capacity_per_1000", "unit_rule"]
    inlines = [FacilityTypeInline]


@admin.register(Facility)
class FacilityAdmin(LayerValidatedAdminMixin, VersionCheckedAdminMixin, OfflineGISModelAdmin):
    # A change is tried through the facilities layer's edit service (its rules, no copy).
    form = layer_validated(
        forms.ModelForm,
        layer_key="facilities",
        field_map={"position_4490": "geometry"},
        recheck_when={"programme": ("name",)},
    )
    list_display = ["name", "programme", "facility_type", "status", "capacity", "county", "is_demo"]
    list_filter = ["programme", "status", "operator", "is_demo"]
    search_fields = ["name", "address"]
    raw_id_fields = ["place_name", "community"]
    # As in the editor and the import, the county follows from the position.
    readonly_fields = ["county"]

    def save_model(self, request, obj, form, change):
        p = obj.position_4490
        obj.county = county_of(p.x, p.y)
        super().save_model(request, obj, form, change)


@admin.register(DemandUnit)
class DemandUnitAdmin(OfflineGISModelAdmin):
    list_display = ["code", "county", "population", "age_60_plus", "age_0_14", "source", "is_demo"]
    list_filter = ["county", "source", "is_demo"]
    raw_id_fields = ["county", "township", "community"]


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "model", "served_before", "served_after", "created_at"]


@admin.register(SitingRun)
class SitingRunAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "status", "progress", "created_at"]


@admin.register(FacilityType)
class FacilityTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "programme", "floor_area_m2", "counts_for_unit_rule"]
    list_filter = ["programme"]


@admin.register(PlanPeriod)
class PlanPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "first_year", "last_year"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "definition"]


@admin.register(PlanTarget)
class PlanTargetAdmin(admin.ModelAdmin):
    list_display = ["label", "measure", "goal", "basis", "period"]
    list_filter = ["measure", "basis", "period"]
    filter_horizontal = ["facility_types"]


class IndicatorValueForm(forms.ModelForm):
    """The entry form's rules: a year inside a plan period, a county-level area."""

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "county", "year", "value_percent", "note", "is_demo"]

    def clean_year(self):
        try:
            return parse_year(str(self.cleaned_data["year"]), list(PlanPeriod.objects.all()))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_county(self):
        county = self.cleaned_data["county"]
        if county.level != AreaLevel.COUNTY:
            raise forms.ValidationError("年度指标按县（区）填报：请选择县级行政区")
        return county


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    """A correction here is recorded like an entry: the row keeps every version (pghistory)."""

    form = IndicatorValueForm

    list_display = ["indicator", "county", "year", "value_percent", "entered_by", "entered_at", "is_demo"]  # fmt: skip
    list_filter = ["indicator", "county", "year", "is_demo"]
    readonly_fields = ["entered_by", "entered_at", "source"]

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        obj.entered_at = timezone.now()
        obj.source = "后台修改" if change else "后台填报"
        super().save_model(request, obj, form, change)
