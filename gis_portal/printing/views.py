"""The print page: order a standard map sheet and download it as a PDF (thin view)."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gis_portal.catalogue.registry import user_is_staff_reader
from gis_portal.printing.services import order_from, print_sheet
from gis_portal.printing.sheets import PAPERS_MM, SCALES, SHEETS, PrintOrderError
from gis_portal.throttles import heavy_work

# Django's own form messages are English here (no translation catalogue is loaded).
CHOICE_ERRORS = {"invalid_choice": "不在可选范围内：%(value)s", "required": "请选择"}


class PrintForm(forms.Form):
    sheet = forms.ChoiceField(
        label="图幅",
        choices=[(s.key, s.title.format(name="县（区）")) for s in SHEETS.values()],
        error_messages=CHOICE_ERRORS,
    )
    paper = forms.ChoiceField(
        label="纸张",
        choices=[(p, p) for p in PAPERS_MM],
        initial="A3",
        required=False,
        error_messages=CHOICE_ERRORS,
    )
    scale = forms.TypedChoiceField(
        label="比例尺", required=False, coerce=int, empty_value=None,
        choices=[("", "自动（按图幅选择）")] + [(s, f"1:{s:,}") for s in SCALES],
        error_messages=CHOICE_ERRORS,
    )  # fmt: skip
    county = forms.CharField(
        label="县（区）代码（地名图）",
        required=False,
        max_length=6,
        error_messages={"max_length": "应为 6 位县级区划代码"},
    )
    as_of = forms.DateField(
        label="数据日期（留空为现状）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    boundaries = forms.BooleanField(label="绘制界线和界桩（工作人员）", required=False)


def _refusal(request, form, status: int, message: str) -> HttpResponse:
    context = {"form": form, "error": message, "staff": user_is_staff_reader(request.user)}
    return render(request, "portal/print.html", context, status=status)


@require_GET
def print_page(request: HttpRequest) -> HttpResponse:
    """GET without ``sheet``: the order form; with it: the PDF (or the form with the error)."""
    if "sheet" not in request.GET:
        context = {"form": PrintForm(), "staff": user_is_staff_reader(request.user)}
        return render(request, "portal/print.html", context)
    return _print(request)


@heavy_work("print")
def _print(request: HttpRequest) -> HttpResponse:
    form = PrintForm(request.GET)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else field
        return _refusal(request, form, 400, f"{label}：{errors[0]}")
    try:
        order = order_from(form.cleaned_data)
        printed = print_sheet(order, user=request.user)
    except PrintOrderError as exc:
        label = form.fields[exc.parameter].label if exc.parameter in form.fields else exc.parameter
        return _refusal(request, form, 400, f"{label}：{exc.message}")
    except PermissionDenied as exc:
        return _refusal(request, form, 403, str(exc))
    response = HttpResponse(printed.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(printed.filename)}"
    return response
