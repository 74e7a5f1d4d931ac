"""What each role may see and change in the admin, for every model the admin shows.

The table below is the decision, written out apart from gis_portal.roles so that a change
to the roles shows up here as a failing row. A model newly registered in the admin (or
shown as an inline) fails ``test_every_model_in_the_admin_has_a_decision`` until a row says
who may do what with it.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory

from gis_portal.accounts import roles_sync
from gis_portal.roles import ROLE_BY_SLUG
from tests.editing.factories import role_user

pytestmark = pytest.mark.django_db

ROLES = ("placename_officer", "boundary_officer", "planner", "administrator")
SUPERUSER_ROLE = "administrator"  # Django grants it every permission the admin allows
ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}

# model: actions of (placename_officer, boundary_officer, planner, administrator);
# v view, a add, c change, d delete, - nothing (not listed, 403).
EXPECTED = {
    "placenames.PlaceName": ("vac", "-", "v", "vacd"),  # 销名 by an approved request
    "placenames.PlaceNameAlias": ("vacd", "-", "-", "vacd"),
    "placenames.PlaceCategory": ("v", "-", "-", "vacd"),
    "placenames.GeoNamesPlace": ("v", "-", "-", "vacd"),
    "placenames.PlaceSign": ("vacd", "-", "-", "vacd"),
    # Added only by the culture page (content sniffing); the admin views and deletes.
    "placenames.PlaceNameMedia": ("vd", "-", "-", "vd"),
    "placenames.ProtectedName": ("vacd", "-", "-", "vacd"),
    "addresses.Street": ("vacd", "-", "-", "vacd"),
    "addresses.StreetFormerName": ("vacd", "-", "-", "vacd"),
    "addresses.StreetSign": ("vacd", "-", "-", "vacd"),
    "addresses.SignInspection": ("vacd", "-", "-", "vacd"),
    "addresses.DoorPlate": ("vacd", "-", "-", "vacd"),
    "boundaries.AdministrativeArea": ("v", "vacd", "v", "vacd"),
    "boundaries.AreaPopulation": ("-", "vacd", "v", "vacd"),
    "boundaries.BoundaryVersion": ("-", "vacd", "-", "vacd"),
    "boundaries.BoundaryLine": ("-", "vacd", "-", "vacd"),
    "boundaries.BoundaryMarker": ("-", "vacd", "-", "vacd"),
    "boundaries.JointInspection": ("-", "vacd", "-", "vacd"),
    "boundaries.MarkerFinding": ("-", "vacd", "-", "vacd"),
    "boundaries.TransformationParameterSet": ("-", "vacd", "-", "vacd"),
    "boundaries.ConversionRun": ("-", "v", "-", "vacd"),
    "boundaries.LineParty": ("-", "vacd", "-", "vacd"),
    "boundaries.InspectionParticipant": ("-", "vacd", "-", "vacd"),
    "boundaries.BoundaryDocument": ("-", "v", "-", "vacd"),
    "boundaries.DivisionAdjustment": ("-", "v", "-", "vacd"),
    "boundaries.AdjustmentArea": ("-", "v", "-", "vacd"),
    "facilities.Programme": ("-", "-", "vacd", "vacd"),
    "facilities.FacilityType": ("-", "-", "vacd", "vacd"),
    "facilities.PlanPeriod": ("-", "-", "vacd", "vacd"),
    "facilities.Indicator": ("-", "-", "vacd", "vacd"),
    "facilities.PlanTarget": ("-", "-", "vacd", "vacd"),
    "facilities.IndicatorValue": ("-", "-", "vacd", "vacd"),
    "facilities.Facility": ("-", "-", "vacd", "vacd"),
    "facilities.DemandUnit": ("-", "-", "vacd", "vacd"),
    "facilities.Scenario": ("-", "-", "vcd", "vacd"),
    "facilities.SitingRun": ("-", "-", "v", "vacd"),
    # Accounts, keys, login logs and the task queue: the administrator's alone. A key is
    # never shown (only revoked); axes logs and queued jobs are records, not edited.
    "auth.User": ("-", "-", "-", "vacd"),
    "auth.Group": ("-", "-", "-", "vacd"),
    "knox.AuthToken": ("-", "-", "-", "vd"),
    "axes.AccessAttempt": ("-", "-", "-", "vcd"),
    "axes.AccessLog": ("-", "-", "-", "vcd"),
    "axes.AccessFailureLog": ("-", "-", "-", "vcd"),
    "procrastinate.ProcrastinateJob": ("-", "-", "-", "v"),
    "procrastinate.ProcrastinateEvent": ("-", "-", "-", "v"),
    # Who read which shared layer (OGC API): an audit record, read by the administrator only.
    "gis_portal.SharedUsage": ("-", "-", "-", "v"),
}


def expected(label: str, role: str) -> set[str]:
    return {ACTIONS[c] for c in EXPECTED[label][ROLES.index(role)] if c != "-"}


def admin_entries():
    """Yield (label, ModelAdmin or inline, parent ModelAdmin or None) for all the admin shows."""
    for model, model_admin in admin.site._registry.items():
        yield model._meta.label, model_admin, None
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            yield inline.model._meta.label, inline, model_admin


def allowed(entry, parent, request) -> set[str]:
    """Return the actions the admin allows ``request.user`` on an entry. An inline's rows
    are added, changed or deleted only with its parent's form, so only with add or change
    on the parent."""
    if parent is None:
        checks = {
            "view": entry.has_view_permission(request),
            "add": entry.has_add_permission(request),
            "change": entry.has_change_permission(request),
            "delete": entry.has_delete_permission(request),
        }
    else:
        parent_writes = parent.has_add_permission(request) or parent.has_change_permission(request)
        checks = {
            "view": entry.has_view_permission(request, None),
            "add": parent_writes and entry.has_add_permission(request, None),
            "change": parent_writes and entry.has_change_permission(request, None),
            "delete": parent_writes and entry.has_delete_permission(request, None),
        }
    return {action for action, ok in checks.items() if ok}


def admin_url(model_admin, page: str = "") -> str:
    meta = model_admin.model._meta
    return f"/admin/{meta.app_label}/{meta.model_name}/{page}"


def test_every_model_in_the_admin_has_a_decision():
    shown = {label for label, _entry, _parent in admin_entries()}
    assert shown - set(EXPECTED) == set(), "no decision on who may use these in the admin"
    assert set(EXPECTED) - shown == set(), "rows for models the admin no longer shows"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_and_changes_exactly_what_the_table_says(role):
    user = role_user(f"u_{role}", role)
    request = RequestFactory().get("/admin/")
    request.user = user
    client = Client()
    client.force_login(user)
    for label, entry, parent in admin_entries():
        assert allowed(entry, parent, request) == expected(label, role), (label, role)
        if parent is not None:
            continue
        may = expected(label, role)
        listing = client.get(admin_url(entry))
        assert listing.status_code == (200 if may else 403), (label, role)
        add_page = client.get(admin_url(entry, "add/"))
        assert add_page.status_code == (200 if "add" in may else 403), (label, role)


def test_anonymous_is_sent_to_the_login_page_from_every_admin_page(client):
    for _label, entry, parent in admin_entries():
        if parent is None:
            response = client.get(admin_url(entry))
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", [r for r in ROLES if r != SUPERUSER_ROLE])
def test_role_groups_hold_no_permission_beyond_the_table(role):
    roles_sync()
    group = Group.objects.get(name=ROLE_BY_SLUG[role].group_name)
    held = {
        (f"{p.content_type.app_label}.{p.content_type.model}", p.codename.split("_", 1)[0])
        for p in group.permissions.select_related("content_type")
    }
    declared = {(label.lower(), action) for label in EXPECTED for action in expected(label, role)}
    assert held == declared


def test_the_administrator_group_needs_no_permissions_because_it_is_superuser():
    roles_sync()
    chief = role_user("chief", SUPERUSER_ROLE)
    assert chief.is_superuser
    assert not Group.objects.get(name=ROLE_BY_SLUG[SUPERUSER_ROLE].group_name).permissions.exists()
