"""Pages of the archive's culture (public) and of sign coverage and culture upkeep (staff)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from gis_portal.editing.layers import PLACENAME_EDITORS
from gis_portal.editing.permissions import user_may_edit
from gis_portal.errors import DomainError, InvalidParameter
from gis_portal.importing.uploads import ImportUploadForm, upload_saved
from gis_portal.input_safety import refusal
from gis_portal.limits import accepts_upload
from gis_portal.params import parse_choice, parse_int
from placenames.culture import KIND_LABELS
from placenames.importers.requests import user_may_import
from placenames.models import PlaceName, PlaceNameMedia, PlaceSignKind
from placenames.selectors import culture as culture_selectors
from placenames.selectors import signs as sign_selectors
from placenames.services.culture import (
    media_max_bytes,
    placename_culture_import,
    placename_media_add,
)
from placenames.sign_coverage import SIGN_KINDS, coverage_total, rate_text

FIRST_YEAR = 1949


# ---- public culture pages ---------------------------------------------------------------------


@require_GET
def culture_index(request: HttpRequest) -> HttpResponse:
    """Render the culture index: every district with what its names hold."""
    return render(
        request,
        "placenames/culture_index.html",
        {"districts": culture_selectors.district_summaries()},
    )


@require_GET
def culture_district(request: HttpRequest, code: str) -> HttpResponse:
    """Render one district's culture page: its protected names and names with a story."""
    try:
        data = culture_selectors.district_culture(code=code)
    except DomainError as exc:
        return render(
            request, "placenames/culture_missing.html", {"message": exc.message}, status=404
        )
    return render(request, "placenames/culture_district.html", {"d": data})


@require_GET
def culture_name(request: HttpRequest, place_code: str) -> HttpResponse:
    """Render one name's culture page: 来历、含义、沿革, photos, scans, pronunciation."""
    try:
        data = culture_selectors.name_culture(place_code=place_code)
    except DomainError as exc:
        return render(
            request, "placenames/culture_missing.html", {"message": exc.message}, status=404
        )
    changes = (
        culture_selectors.culture_changes(place=data.place) if request.user.is_authenticated else []
    )
    return render(request, "placenames/culture_name.html", {"c": data, "changes": changes})


@require_GET
def culture_media_file(request: HttpRequest, pk: int, variant: str = "file") -> FileResponse:
    """Send a stored media file (or its thumbnail) with the type its content was checked as."""
    media = get_object_or_404(PlaceNameMedia, pk=pk)
    field = media.thumbnail if variant == "thumb" else media.file
    if not field:
        raise Http404("没有缩略图")
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    content_type = media.content_type
    if variant == "thumb":
        content_type = "image/png" if field.name.endswith(".png") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


# ---- staff: sign coverage -----------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    year = parse_int(
        request.GET, "year", required=False, min_value=FIRST_YEAR, max_value=today.year,
        default=today.year,
    )  # fmt: skip
    assert year is not None  # a default is given
    return year


@login_required
@require_GET
def sign_coverage_page(request: HttpRequest) -> HttpResponse:
    """Render sign coverage per county and category for a year, and the places missing one."""
    counties = {a.code: a.name for a in culture_selectors.districts().defer("geom_4490")}
    try:
        year = _year(request)
        county = parse_choice(request.GET, "county", list(counties))
        group = parse_choice(request.GET, "category", list(SIGN_KINDS))
    except InvalidParameter as exc:
        return refusal(request, exc, api=False)
    cells = sign_selectors.sign_coverage(year=year)
    states = sign_selectors.signs_missing(year=year, county_code=county, group=group)
    groups = {prefix: label for prefix, (_, label) in SIGN_KINDS.items()}
    by_county: dict[str, dict] = {}
    for cell in cells:
        row = by_county.setdefault(
            cell.county_code, {"code": cell.county_code, "name": cell.county_name, "cells": {}}
        )
        row["cells"][cell.group] = cell
    rows = []
    for row in by_county.values():
        places, covered, rate = coverage_total(row["cells"].values())
        rows.append({**row, "places": places, "covered": covered, "rate": rate_text(rate),
                     "by_group": [row["cells"].get(g) for g in groups]})  # fmt: skip
    city = coverage_total(cells)
    group_totals = []
    for prefix in groups:
        total = coverage_total(c for c in cells if c.group == prefix)
        group_totals.append({"places": total[0], "covered": total[1], "rate": rate_text(total[2])})
    missing = states
    return render(
        request,
        "placenames/signs.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, 2009, -1)),
            "counties": counties,
            "county": county or "",
            "group": group or "",
            "groups": groups,
            "rows": rows,
            "group_totals": group_totals,
            "city": {"places": city[0], "covered": city[1], "rate": rate_text(city[2])},
            "missing": missing[:500],
            "missing_total": len(missing),
            "sign_labels": dict(PlaceSignKind.choices),
            "has_demo": sign_selectors.signs_include_demo(),
            "may_edit": user_may_edit(request.user, PLACENAME_EDITORS),
        },
    )


# ---- staff: culture upkeep ----------------------------------------------------------------------


class CultureImportForm(ImportUploadForm):
    file = forms.FileField(label="普查登记表（xlsx / csv）")


class MediaForm(forms.Form):
    place_code = forms.CharField(label="地名代码（20 位）", max_length=20, min_length=20)
    kind = forms.ChoiceField(label="类型", choices=list(KIND_LABELS.items()))
    title = forms.CharField(label="标题", max_length=100)
    credit = forms.CharField(label="来源/拍摄者", max_length=100, required=False)
    file = forms.FileField(label="文件")

    def clean_place_code(self):
        code = self.cleaned_data["place_code"].strip()
        place = PlaceName.objects.filter(place_code=code).first()
        if place is None:
            raise forms.ValidationError(f"地名档案中没有代码 {code}")
        self.place = place
        return code

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = media_max_bytes()
        if upload.size > limit:  # refused before it is read into memory
            raise forms.ValidationError(
                f"文件大小 {upload.size / 1e6:.1f} MB 超过上限 {limit / 1e6:.1f} MB，未保存"
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
@accepts_upload
def culture_staff_page(request: HttpRequest) -> HttpResponse:
    """Render the culture upkeep page: import 来历/含义/沿革, add photos, scans, recordings."""
    import_form, media_form = CultureImportForm(), MediaForm()
    context: dict = {"may_edit": user_may_import(request.user)}
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not context["may_edit"]:
        context["error"] = "您的账户没有维护地名档案的权限（需“地名管理员”角色）"
    elif action == "import":
        import_form = CultureImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            with upload_saved(upload) as path:
                try:
                    context["report"] = placename_culture_import(
                        path=path, file_name=upload.name, user=request.user,
                        dry_run=import_form.cleaned_data["dry_run"],
                    )  # fmt: skip
                except DomainError as exc:
                    context["import_error"] = exc.message
    elif action == "media":
        media_form = MediaForm(request.POST, request.FILES)
        if media_form.is_valid():
            upload = media_form.cleaned_data["file"]
            try:
                context["media"] = placename_media_add(
                    place=media_form.place,
                    kind=media_form.cleaned_data["kind"],
                    title=media_form.cleaned_data["title"],
                    credit=media_form.cleaned_data["credit"],
                    file_name=upload.name or "",
                    data=upload.read(),
                    user=request.user,
                )
                media_form = MediaForm()
            except DomainError as exc:
                context["media_error"] = exc.message
    context.update(
        import_form=import_form,
        media_form=media_form,
        register=culture_selectors.protected_register()[:300],
        media_limit_mb=f"{media_max_bytes() / 1e6:.0f}",
    )
    return render(request, "placenames/culture_staff.html", context)
