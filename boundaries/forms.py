"""Forms of the boundary officers' pages."""

from __future__ import annotations

from django import forms
from django.conf import settings

from boundaries.crs import BEIJING1954, CGCS2000, CRS_TABLE
from boundaries.importers.surveys import SurveyFileError, common_points_csv_from_table
from boundaries.models import MarkerState
from boundaries.transform_fit import MODELS

MAX_POINTS_FILE_BYTES = 2 * 1024 * 1024


def _crs_choices(datum: str) -> list[tuple[str, str]]:
    return [(c.code, f"{c.code} {c.name}") for c in CRS_TABLE.values() if c.datum == datum]


class FitForm(forms.Form):
    name = forms.CharField(label="参数集名称", max_length=100)
    points_file = forms.FileField(
        label="重合点文件（CSV 或 Excel：id,role,x_src,y_src,h_src,x_dst,y_dst,h_dst）"
    )
    model = forms.ChoiceField(
        label="模型", choices=[(m, {"7p": "七参数", "4p": "四参数（平面）"}[m]) for m in MODELS]
    )
    source_crs = forms.ChoiceField(label="源坐标系（北京54）", choices=_crs_choices(BEIJING1954))
    target_crs = forms.ChoiceField(label="目标坐标系（CGCS2000）", choices=_crs_choices(CGCS2000))

    def clean_points_file(self):
        f = self.cleaned_data["points_file"]
        if f.size > min(MAX_POINTS_FILE_BYTES, settings.UPLOAD_MAX_BYTES):
            raise forms.ValidationError("文件过大（重合点表不应超过 2 MB）")
        raw = f.read()
        if f.name.lower().endswith((".xlsx", ".xlsm")):
            try:
                return common_points_csv_from_table(raw, filename=f.name)
            except SurveyFileError as exc:
                raise forms.ValidationError(str(exc)) from None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("文件应为 UTF-8 编码的 CSV 或 Excel (.xlsx)") from None


class ApproveForm(forms.Form):
    approved_by = forms.CharField(label="审批人", max_length=100)


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label="联检日期", widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(label="参加单位及人员", widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(
        label="结论", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, markers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.markers = list(markers)
        for m in self.markers:
            self.fields[f"state_{m.pk}"] = forms.ChoiceField(
                label=m.number, choices=MarkerState.choices, initial=MarkerState.INTACT
            )
            self.fields[f"note_{m.pk}"] = forms.CharField(
                label="说明", required=False, max_length=300
            )

    def marker_rows(self):
        return [(m, self[f"state_{m.pk}"], self[f"note_{m.pk}"]) for m in self.markers]

    def findings(self) -> dict[int, tuple[str, str]]:
        return {
            m.pk: (self.cleaned_data[f"state_{m.pk}"], self.cleaned_data[f"note_{m.pk}"])
            for m in self.markers
        }


IMPORT_KINDS = [
    ("shapefile", "Shapefile（zip，含 .shp/.shx/.dbf，.prj 可选，属性 GBK）"),
    ("dxf", "DXF 界线（需声明坐标系和界线编号）"),
    ("townships_dxf", "DXF 乡级区域面（需声明坐标系）"),
    ("markers", "界桩坐标表（CSV / Excel）"),
]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="文件类型", choices=IMPORT_KINDS)
    survey_file = forms.FileField(label="文件")
    declared_crs = forms.ChoiceField(
        label="坐标系（文件不含坐标系时必填）",
        required=False,
        choices=[
            ("", "按 .prj 识别"),
            ("auto:beijing1954", "北京54（按东坐标带号自动识别投影带）"),
            ("auto:cgcs2000", "CGCS2000（按东坐标带号自动识别投影带）"),
            ("GCJ-02", "GCJ-02 经纬度（高德/腾讯，仅界桩坐标表；导入时转换）"),
            ("BD-09", "BD-09 经纬度（百度，仅界桩坐标表；导入时转换）"),
            *_crs_choices(BEIJING1954),
            *_crs_choices(CGCS2000),
        ],
    )
    line_code = forms.CharField(label="界线编号（DXF）", required=False, max_length=20)
    dry_run = forms.BooleanField(label="只检查，不写入", required=False, initial=True)

    def clean_survey_file(self):
        f = self.cleaned_data["survey_file"]
        if f.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError("文件过大")
        return f
