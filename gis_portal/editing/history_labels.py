"""What a history diff shows staff: each changed field by its label, each value as read.

A diff is computed on the model's columns (``category_id``, ``status``); staff read the
layer's own words for them. The label comes from, in order: the layer's edit rules (the
editor's form labels), the catalogue's field labels, the model field's verbose name. A
stored code of a field with choices is shown as its label; a reference to another row as
that row's name. Never a raw column name where a label exists.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from gis_portal.catalogue.registry import CATALOGUE
from gis_portal.editing.layers import Layer


def _model_field(layer: Layer, name: str) -> models.Field | None:
    assert layer.model is not None
    for f in layer.model._meta.concrete_fields:
        if name in (f.name, f.attname):
            return f
    try:
        return layer.model._meta.get_field(name)  # type: ignore[return-value]
    except FieldDoesNotExist:
        return None


def field_label(layer: Layer, name: str) -> str:
    """Return what staff call the column ``name`` (an attname or field name) of ``layer``."""
    field = _model_field(layer, name)
    candidates = [name] + ([field.name] if field is not None else [])
    rules = {**(layer.create_rules or {}), **layer.rules}
    for key in candidates:
        label = getattr(rules.get(key), "label", None)
        if label:
            return str(label)
    catalogue = CATALOGUE.get(layer.key)
    if catalogue is not None:
        for key in candidates:
            for f in catalogue.fields:
                if f.name == key:
                    return f.label
    if field is not None and field.verbose_name and field.verbose_name != field.name:
        return str(field.verbose_name)
    return name


def value_shown(layer: Layer, name: str, value):
    """Return ``value`` of column ``name`` as staff read it (choice label, row name)."""
    if value is None or value == "":
        return value
    field = _model_field(layer, name)
    if field is None:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.related_model is not None:
        row = field.related_model._default_manager.filter(pk=value).first()
        return str(row) if row is not None else value
    return value
