"""Forms of the township, line-record and adjustment pages (labels in Chinese)."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings

from boundaries.adjustments import KINDS
from boundaries.models import BoundaryDocumentKind, ParticipantRole


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="材料类型", choices=BoundaryDocumentKind.choices)
    title = forms.CharField(label="标题", max_length=200)
    file = forms.FileField(label="文件（PDF、图片、Word 或 zip，20 MB 以内）")


class ParticipantForm(forms.Form):
    inspection = forms.IntegerField(widget=forms.HiddenInput)
    person = forms.CharField(label="姓名", max_length=50)
    organisation = forms.CharField(label="单位（部门）", max_length=100)
    area_code = forms.CharField(label="代表的区划代码", max_length=12, required=False)
    role = forms.ChoiceField(label="身份", choices=ParticipantRole.choices)
    signed = forms.BooleanField(label="已签字", required=False)
    signed_on = forms.DateField(
        label="签字日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AdjustmentForm(forms.Form):
    kind = forms.ChoiceField(label="调整类型", choices=list(KINDS.items()))
    effective_on = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    approval_ref = forms.CharField(label="批准文号", max_length=100)
    units = forms.CharField(
        label="被调整单位的区划代码（多个用逗号分隔）",
        max_length=400,
        help_text="合并：两个以上；拆分、更名、变更代码：一个；调整界线：两个相邻单位。",
    )
    new_units = forms.CharField(
        label="调整后的单位（每行：区划代码 名称 [拆分时划入的村级代码，逗号分隔]）",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
    )
    boundaries_file = forms.FileField(
        label="新单位边界（拆分、调整界线时必填：GeoJSON，每个要素的 code 属性为区划代码，CGCS2000 经纬度）",
        required=False,
    )
    reason = forms.CharField(
        label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    approval_file = forms.FileField(label="批准文件（PDF 或图片）")

    def clean_units(self):
        return [
            c.strip() for c in self.cleaned_data["units"].replace("，", ",").split(",") if c.strip()
        ]

    def clean_new_units(self):
        out = []
        for n, line in enumerate(self.cleaned_data["new_units"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) not in (2, 3):
                raise forms.ValidationError(f"第 {n} 行应为“区划代码 名称 [村级代码,…]”")
            villages = parts[2].replace("，", ",").split(",") if len(parts) == 3 else []
            out.append({"code": parts[0], "name": parts[1], "villages": [v for v in villages if v]})
        if not out:
            raise forms.ValidationError("请至少填写一个调整后的单位")
        return out

    def clean_boundaries_file(self):
        f = self.cleaned_data.get("boundaries_file")
        if not f:
            return {}
        if f.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError("文件过大")
        try:
            data = json.loads(f.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise forms.ValidationError("不是 UTF-8 编码的 GeoJSON") from None
        features = data.get("features") if isinstance(data, dict) else None
        if not isinstance(features, list):
            raise forms.ValidationError("应为 GeoJSON 要素集（FeatureCollection）")
        out = {}
        for i, feature in enumerate(features, start=1):
            props = (feature or {}).get("properties") or {}
            code = str(props.get("code", "")).strip()
            if not code or not isinstance(feature.get("geometry"), dict):
                raise forms.ValidationError(f"第 {i} 个要素缺少 code 属性或几何")
            out[code] = feature["geometry"]
        return out

    def plan(self) -> dict:
        data = self.cleaned_data
        geoms = data.get("boundaries_file") or {}
        return {
            "kind": data["kind"],
            "effective_on": data["effective_on"].isoformat(),
            "approval_ref": data["approval_ref"],
            "units": data["units"],
            "new_units": [{**u, "geometry": geoms.get(u["code"])} for u in data["new_units"]],
        }


class CodeLookupForm(forms.Form):
    code = forms.RegexField(
        label="区划代码",
        regex=r"^\d{6}(\d{3})?$",
        error_messages={"invalid": "应为 6 位或 9 位区划代码"},
    )
    on = forms.DateField(
        label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
