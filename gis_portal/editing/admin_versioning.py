"""Optimistic locking for the admin: a change form refuses to overwrite a newer version.

The change form carries the version it was opened at (hidden ``seen_version``); on save
the row is locked (the admin's change view runs in one transaction) and its current
version compared: if anyone changed it since — editor, API, import, another admin tab,
a bulk update — the form shows an error in Chinese and nothing is written.

Use ``VersionCheckedAdminMixin`` first in the bases of the ModelAdmin of any model with a
trigger-kept ``version`` column.
"""

from __future__ import annotations

from django import forms
from django.db import connection

SEEN_VERSION = "seen_version"


class VersionCheckedFormMixin:
    """Form half: puts the opened version in ``seen_version`` and checks it on clean."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and SEEN_VERSION in self.fields:
            self.fields[SEEN_VERSION].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if connection.in_atomic_block:
            # Held until the save in the same transaction: no write can slip in between.
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        seen = cleaned.get(SEEN_VERSION)
        if current is None:
            raise forms.ValidationError("该记录已被删除，未保存")
        if seen != current:
            opened = f"您打开的是版本 {seen}" if seen is not None else "页面未带版本号"
            raise forms.ValidationError(
                f"该记录已被他人修改（当前版本 {current}，{opened}），未保存：请重新打开页面，"
                "核对最新内容后再修改",
                code="stale_version",
            )
        return cleaned


def versioned_form(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """Return ``form_class`` with the hidden ``seen_version`` field and its check."""
    if issubclass(form_class, VersionCheckedFormMixin):
        return form_class
    return type(
        f"Versioned{form_class.__name__}",
        (VersionCheckedFormMixin, form_class),
        {SEEN_VERSION: forms.IntegerField(widget=forms.HiddenInput, required=False)},
    )


class VersionCheckedAdminMixin:
    """ModelAdmin half: every change form of this admin is a versioned form."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = versioned_form(kwargs.get("form") or self.form)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        named = {f for _name, opts in fieldsets for f in forms_flatten(opts.get("fields", ()))}
        if SEEN_VERSION in named or not fieldsets:
            return fieldsets
        name, opts = fieldsets[0]
        return [(name, {**opts, "fields": (*opts["fields"], SEEN_VERSION)}), *fieldsets[1:]]


def forms_flatten(fields) -> list[str]:
    out = []
    for f in fields:
        out.extend(f if isinstance(f, (list, tuple)) else [f])
    return out
