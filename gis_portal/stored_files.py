"""Stored files follow the rows that name them: gone when the row's transaction rolls back.

A ``FileField`` writes its file to storage before the row is saved, and storage is not
transactional: a failed import or a refused edit that rolls back leaves the photo, the scan
or the agreement on disk with nothing pointing at it. Django has no "on rollback" hook, but
it does drop the ``on_commit`` callbacks of a transaction or savepoint that rolls back. So a
written file is tied to a small callback: run at commit, it marks the file kept; dropped by a
rollback (of the whole transaction or only of the savepoint it was written in), it is
released and a ``weakref.finalize`` on it deletes the file. CPython frees the dropped
callback at once (reference counting), so the file is gone when the rollback returns.

A deleted row's files are deleted once the deletion commits, and kept if it rolls back.
A replaced file (a new upload saved over a row's photo, scan, recording or document) is
deleted once the save commits, and kept if it rolls back, when the new one goes instead.
The name a row held is read back before the save: the instance may hold anything by then.

Each app lists its file-carrying models with ``files_follow_rows`` in its ``AppConfig.ready``
(the ground floor never imports the apps).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save

# Where ``_before_save`` leaves the names a row held, for ``_after_save``.
_HELD = "_stored_files_held"

# The storage, the name, and for a local storage the absolute path resolved when the file was
# written (MEDIA_ROOT may change before a late rollback, as it does between tests).
StoredName = tuple[Storage, str, str | None]


class _KeepAtCommit:
    """The on_commit callback whose loss (a rollback) deletes the files it stands for."""

    __slots__ = ("__weakref__", "_state")

    def __init__(self, state: dict[str, bool]) -> None:
        self._state = state

    def __call__(self) -> None:
        self._state["kept"] = True


def _delete_unless_kept(state: dict[str, bool], names: list[StoredName]) -> None:
    if not state["kept"]:
        _delete(names)


def _delete(names: Iterable[StoredName]) -> None:
    for storage, name, path in names:
        if path is None:
            storage.delete(name)
        else:
            Path(path).unlink(missing_ok=True)


def _stored_names(files: Iterable[FieldFile]) -> list[StoredName]:
    return [(f.storage, f.name, _local_path(f)) for f in files if f and f.name]


def _local_path(file: FieldFile) -> str | None:
    try:
        return file.path
    except NotImplementedError:
        return None


def files_discard_on_rollback(files: Iterable[FieldFile], *, using: str | None = None) -> None:
    """Delete ``files`` from storage if the current transaction (or savepoint) rolls back.

    Outside a transaction the files are kept at once (the write has already happened).
    """
    names = _stored_names(files)
    if not names:
        return
    state = {"kept": False}
    keeper = _KeepAtCommit(state)
    weakref.finalize(keeper, _delete_unless_kept, state, names)
    transaction.on_commit(keeper, using=using)


def files_delete_on_commit(files: Iterable[FieldFile], *, using: str | None = None) -> None:
    """Delete ``files`` from storage once the current transaction commits (never on rollback)."""
    names = _stored_names(files)
    if names:
        transaction.on_commit(lambda: _delete(names), using=using)


def _file_fields(instance: models.Model) -> list[FieldFile]:
    return [
        getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def _file_attnames(model: type[models.Model], update_fields) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField) and (update_fields is None or f.name in update_fields)
    ]


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance._state.adding or instance.pk is None:
        return
    attnames = _file_attnames(sender, kwargs.get("update_fields"))
    if not attnames:
        return
    held = (
        sender._base_manager.using(kwargs.get("using"))
        .filter(pk=instance.pk)
        .values_list(*attnames)
        .first()
    )
    if held is not None:
        instance.__dict__[_HELD] = dict(zip(attnames, held, strict=True))


def _replaced(sender: type[models.Model], instance: models.Model, using: str | None):
    """Return (files the row no longer names, files it names anew) after an update."""
    held: dict[str, str] = instance.__dict__.pop(_HELD, {})
    gone, new = [], []
    for attname, old_name in held.items():
        current = getattr(instance, attname)
        if (current.name or "") == (old_name or ""):
            continue
        if current.name:
            new.append(current)
        # Another row naming the same file keeps it.
        if old_name and not (
            sender._base_manager.using(using).filter(**{attname: old_name}).exists()
        ):
            field = sender._meta.get_field(attname)
            gone.append(field.attr_class(instance, field, old_name))
    return gone, new


def _after_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    using = kwargs.get("using")
    if kwargs.get("created"):
        files_discard_on_rollback(_file_fields(instance), using=using)
        return
    gone, new = _replaced(sender, instance, using)
    files_discard_on_rollback(new, using=using)
    files_delete_on_commit(gone, using=using)


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    files_delete_on_commit(_file_fields(instance), using=kwargs.get("using"))


def files_follow_rows(*model_classes: type[models.Model]) -> None:
    """Tie the stored files of new rows of ``model_classes`` to their transaction, and
    delete a deleted row's files, or a replaced file, when the change commits."""
    for model_class in model_classes:
        pre_save.connect(_before_save, sender=model_class, dispatch_uid=f"files-{model_class}")
        post_save.connect(_after_save, sender=model_class, dispatch_uid=f"files-{model_class}")
        post_delete.connect(_after_delete, sender=model_class, dispatch_uid=f"files-{model_class}")
