"""The admin as one more write path of an editor layer: the layer's own rules, tried first.

A change form of a street, street sign, door plate or facility is checked by running the
layer's edit service (``Layer.update`` from ``gis_portal.editing.layers``) on the submitted
values inside a savepoint that is always rolled back. The admin therefore gets exactly the
rules of the editor, the API and the batch save — valid geometry of the layer's type, inside
the city (and the user's area), a street line simple and long enough and keeping its plates
and signs within reach, a sign or plate within 50 m of its street, a door number on the side
its parity belongs to, not taken and in order, a facility name free in its programme, dates
in order — without a second copy of them. A refused edit shows the service's Chinese message
on the field it names, and nothing is written.

A new record (add form) is tried through the layer's create service, as if drawn in the
editor. On a change, only the fields the officer changed are tried (as in the editor, an untouched field is not
re-judged). Fields the layer does not edit (a plate's street, a facility's programme) are
written first inside the same rolled-back savepoint, so the rules see them.

Use ``LayerValidatedAdminMixin`` in the bases of the ModelAdmin (before the GIS admin) and
``layer_validated(form_class, layer_key=..., field_map=...)`` for its form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from django import forms
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from gis_portal.editing.admin_scope import ScopedAdminMixin
from gis_portal.editing.errors import InvalidEdit
from gis_portal.editing.layers import layer_get
from gis_portal.errors import DomainError
from gis_portal.history import history_context

ADMIN_COMMENT = "管理后台修改"


class _TrialDone(Exception):
    """Raised inside the trial savepoint to roll it back after the service accepted."""


def _as_submitted(value):
    """The form's cleaned value as the editor would have sent it (JSON-like)."""
    if isinstance(value, GEOSGeometry):
        return json.loads(value.json)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class LayerValidatedFormMixin:
    """Form half: ``clean`` tries the change through the layer's update service."""

    layer_key: str = ""
    # form field → the layer's rule field (e.g. {"point_4490": "geometry"})
    field_map: Mapping[str, str] = {}
    # Form fields outside the layer's rules that its checks depend on; when one changed,
    # these rule fields are re-checked too (e.g. a plate moved to another street).
    recheck_when: Mapping[str, tuple[str, ...]] = {}
    request_user = None

    def clean(self):
        cleaned = super().clean()
        if not self._errors:
            if self.instance.pk is not None:
                self._update_trial(cleaned)
            else:
                self._create_trial(cleaned)
        return cleaned

    def _layer(self):
        return layer_get(self.layer_key)

    def _to_rule(self) -> dict[str, str]:
        return {f: self.field_map.get(f, f) for f in self.fields}

    def _update_trial(self, cleaned: dict) -> None:
        layer = self._layer()
        to_rule = self._to_rule()
        changed = [f for f in self.changed_data if f in cleaned]
        tried = {f for f in changed if to_rule[f] in layer.rules}
        direct = [f for f in changed if f not in tried and self._is_model_field(f)]
        for f in direct:
            tried |= {
                form_f
                for form_f, rule_f in to_rule.items()
                if rule_f in self.recheck_when.get(f, ()) and form_f in cleaned
            }
        if not tried:
            return
        changes = {to_rule[f]: _as_submitted(cleaned[f]) for f in tried}
        changes["comment"] = ADMIN_COMMENT
        model = type(self.instance)

        def attempt():
            if direct:
                model._default_manager.filter(pk=self.instance.pk).update(
                    **{f: cleaned[f] for f in direct}
                )
            layer.update(
                pk=self.instance.pk,
                expected_version=None,  # the form's own version check runs too
                changes=changes,
                user=self.request_user,
                source="admin",
            )

        self._trial(attempt, to_rule)

    def _create_trial(self, cleaned: dict) -> None:
        """A new record: tried through the layer's create service (as drawn in the editor)."""
        layer = self._layer()
        if layer.create is None or not layer.create_rules:
            return
        to_rule = self._to_rule()
        changes = {}
        for f, value in cleaned.items():
            rule_f = to_rule.get(f)
            if rule_f not in layer.create_rules or value in (None, ""):
                continue
            if isinstance(value, models.Model):  # a type by its slug, a street by its id
                value = getattr(value, "slug", None) or value.pk
            changes[rule_f] = _as_submitted(value)
        changes["comment"] = ADMIN_COMMENT
        self._trial(
            lambda: layer.create(changes=changes, user=self.request_user, source="admin"),
            to_rule,
        )

    def _trial(self, attempt, to_rule: dict[str, str]) -> None:
        """Run ``attempt`` in a savepoint that is always rolled back; errors go on the form."""
        try:
            with transaction.atomic():
                attempt()
                raise _TrialDone
        except _TrialDone:
            return
        except InvalidEdit as exc:
            from_rule = {rule_f: form_f for form_f, rule_f in to_rule.items()}
            field = from_rule.get(exc.field)
            self.add_error(field if field in self.fields else None, exc.message)
        except DomainError as exc:
            self.add_error(None, exc.message)

    def _is_model_field(self, name: str) -> bool:
        try:
            field = self.instance._meta.get_field(name)
        except FieldDoesNotExist:  # a form-only field (seen_version)
            return False
        return field.concrete and not field.many_to_many


def layer_validated(
    form_class: type[forms.ModelForm],
    *,
    layer_key: str,
    field_map: Mapping[str, str],
    recheck_when: Mapping[str, tuple[str, ...]] | None = None,
) -> type[forms.ModelForm]:
    """Return ``form_class`` whose change form is checked by the layer's edit service."""
    return type(
        f"LayerValidated{form_class.__name__}",
        (LayerValidatedFormMixin, form_class),
        {
            "layer_key": layer_key,
            "field_map": dict(field_map),
            "recheck_when": dict(recheck_when or {}),
        },
    )


class LayerValidatedAdminMixin(ScopedAdminMixin):
    """ModelAdmin half: the form knows who edits (the user's area limits the edit), the
    record outside the user's area is read-only (``ScopedAdminMixin``), and the save is
    recorded in the history with the user and the path (admin)."""

    @property
    def scope_layer_key(self) -> str:
        return self.form.layer_key

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"request_user": request.user})

    def save_model(self, request, obj, form, change):
        with history_context(user=request.user, comment=ADMIN_COMMENT, source="admin"):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with history_context(user=request.user, comment="管理后台删除", source="admin"):
            super().delete_model(request, obj)
