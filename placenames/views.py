"""HTML pages of the place-name archive: the public lookup and the officers' page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from boundaries.models import AdministrativeArea
from gis_portal.errors import DomainError
from gis_portal.importing.pipeline import layer_import
from gis_portal.importing.uploads import RowsImportUploadForm, upload_saved
from gis_portal.limits import accepts_upload
from placenames.addresses.bulk_io import ADDRESS_LAYERS
from placenames.importers.requests import user_may_import, user_may_load_archive
from placenames.importers.service import placenames_import
from placenames.models import PlaceCategory
from placenames.selectors import names as selectors


@require_GET
def placename_lookup(request: HttpRequest) -> HttpResponse:
    """Render the public place-name lookup page (search, detail, what-is-here)."""
    return render(request, "placenames/lookup.html")


class ImportForm(RowsImportUploadForm):
    file = forms.FileField(label="普查档案文件（xlsx / csv / shp 压缩包 / gpkg）")
    archive_load = forms.BooleanField(
        label="直接登记普查档案：新地名、更名、销名直接写入，不经审批（仅系统管理员，记入历史）",
        required=False,
    )

    def __init__(self, *args, may_load_archive: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_load_archive:
            del self.fields["archive_load"]


class AddressImportForm(RowsImportUploadForm):
    layer = forms.ChoiceField(
        label="图层", choices=[(key, spec.label) for key, spec in ADDRESS_LAYERS.items()]
    )
    field_order = ["layer", "file"]


class ReviewForm(forms.Form):
    name = forms.CharField(label="拟用名称", max_length=50)
    category = forms.ChoiceField(label="类别")
    division = forms.ChoiceField(label="所在行政区")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            (c.code, f"{c.code} {c.name}")
            for c in PlaceCategory.objects.exclude(code__endswith="0000")
        ]
        self.fields["division"].choices = [
            (a.code, ("　" if a.level == "township" else "") + f"{a.name}（{a.code}）")
            for a in AdministrativeArea.objects.filter(
                valid_to__isnull=True, level__in=("city", "county", "township")
            )
            .defer("geom_4490")
            .order_by("code")
        ]


def _import_upload(form: ImportForm, user) -> tuple[dict | None, str]:
    upload = form.cleaned_data["file"]
    with upload_saved(upload) as path:
        try:
            report = placenames_import(
                path=path,
                user=user,
                archive_load=form.cleaned_data.get("archive_load", False),
                file_name=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                accept_valid_rows=form.cleaned_data["accept_valid_rows"],
            )
        except DomainError as exc:
            return None, exc.message
    return report.as_dict(), ""


def _address_import_upload(form: AddressImportForm, user) -> tuple[dict | None, str]:
    upload = form.cleaned_data["file"]
    with upload_saved(upload) as path:
        try:
            report = layer_import(
                spec=ADDRESS_LAYERS[form.cleaned_data["layer"]],
                path=path,
                user=user,
                file_name=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                accept_valid_rows=form.cleaned_data["accept_valid_rows"],
            )
        except DomainError as exc:
            return None, exc.message
    return report.as_dict() | {"summary": report.summary()}, ""


@login_required
@require_http_methods(["GET", "POST"])
@accepts_upload
def placename_officer(request: HttpRequest) -> HttpResponse:
    """Render the officers' page: import a census file, review a proposed name.

    The import runs as the signed-in user: inside their edit scope, with namings,
    renamings and abolitions filed as change requests (系统管理员 may load an archive
    directly)."""
    may_load_archive = user_may_load_archive(request.user)
    import_form, review_form = ImportForm(may_load_archive=may_load_archive), ReviewForm()
    address_form = AddressImportForm()
    context: dict = {"address_layers": ADDRESS_LAYERS}
    if request.method == "POST" and request.POST.get("action") == "import":
        import_form = ImportForm(request.POST, request.FILES, may_load_archive=may_load_archive)
        if not user_may_import(request.user):
            context["import_error"] = "您的账户没有导入地名的权限（需“地名管理员”角色）"
        elif import_form.is_valid():
            context["report"], context["import_error"] = _import_upload(import_form, request.user)
    elif request.method == "POST" and request.POST.get("action") == "import_addresses":
        address_form = AddressImportForm(request.POST, request.FILES)
        if not ADDRESS_LAYERS["plates"].may_import(request.user):
            context["address_error"] = ADDRESS_LAYERS["plates"].refusal
        elif address_form.is_valid():
            context["address_report"], context["address_error"] = _address_import_upload(
                address_form, request.user
            )
    elif request.method == "POST" and request.POST.get("action") == "review":
        review_form = ReviewForm(request.POST)
        if review_form.is_valid():
            try:
                context["review"] = selectors.placename_review(
                    name=review_form.cleaned_data["name"].strip(),
                    category_code=review_form.cleaned_data["category"],
                    division_code=review_form.cleaned_data["division"],
                )
            except DomainError as exc:
                context["review_error"] = exc.message
    context.update(import_form=import_form, review_form=review_form, address_form=address_form)
    return render(request, "placenames/officer.html", context)
