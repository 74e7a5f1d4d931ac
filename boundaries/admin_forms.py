"""Admin forms of lines and markers: the editor's geometry rules and optimistic locking.

The admin is one more write path: it gets the same geometry checks as the API, and a
hidden ``seen_version`` so that saving a page opened before someone else's change fails
instead of silently overwriting it.
"""

from __future__ import annotations

from django import forms

from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.services import lines as line_services
from gis_portal.editing.errors import InvalidEdit


class VersionedAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if cleaned.get("seen_version") != current:
                raise forms.ValidationError(
                    f"该记录已被他人修改（当前版本 {current}），请重新打开页面后再修改"
                )
        geom = cleaned.get("geom_4490")
        if geom is not None:
            try:
                self.check_geometry(cleaned, geom)
            except InvalidEdit as exc:
                self.add_error("geom_4490", exc.message)
        return cleaned

    def check_geometry(self, cleaned: dict, geom) -> None:
        raise NotImplementedError


class BoundaryLineAdminForm(VersionedAdminForm):
    class Meta:
        model = BoundaryLine
        fields = "__all__"  # noqa: DJ007 - the admin's own field lists decide what shows

    def check_geometry(self, cleaned: dict, geom) -> None:
        line_services.line_geometry_check(line=self.instance, geom=geom)


class BoundaryMarkerAdminForm(VersionedAdminForm):
    class Meta:
        model = BoundaryMarker
        fields = "__all__"  # noqa: DJ007 - the admin's own field lists decide what shows

    def check_geometry(self, cleaned: dict, geom) -> None:
        line_services.marker_geometry_check(line=cleaned.get("line"), geom=geom)
