"""The update-event condition of gis_portal.history, resolved against real models (no database)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured

from gis_portal.history import TrackedFieldsChanged


def test_tracked_columns_are_compared_one_by_one():
    sql = TrackedFieldsChanged("username", "email").resolve(User)
    assert sql == (
        'OLD."email" IS DISTINCT FROM NEW."email" OR OLD."username" IS DISTINCT FROM NEW."username"'
    )


def test_no_tracked_fields_compares_whole_rows():
    assert TrackedFieldsChanged().resolve(User) == "OLD.* IS DISTINCT FROM NEW.*"


def test_a_tracked_reverse_relation_is_refused_by_name():
    # The admin log's foreign key to User gives User a reverse relation, which has no column.
    with pytest.raises(ImproperlyConfigured, match="logentry"):
        TrackedFieldsChanged("username", "logentry").resolve(User)
