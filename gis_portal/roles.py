"""The portal's roles, as data: what each role may see and change in the admin.

A role's ``models`` maps a model (``app_label.ModelName``) to the actions its group holds on
it; a model not named is neither listed nor shown to the role. The same model permissions
guard a few pages (``boundaries.add_transformationparameterset`` on the fitting page,
``placenames.add_placename`` on the officers' import, ``addresses.add_doorplate`` on the
plate API), so a domain app's editors keep add/change there. What the API and the editor
let each role do is decided by role membership (``gis_portal.editing.permissions``), not
by these permissions; reading through the portal and the API stays open to every signed-in
role.

Never named for any group: accounts, groups and permissions (whoever may change them can
make themselves anything), API keys and their scopes, login logs (django-axes), the
sharing API's usage record (gis_portal.SharedUsage: who read which layer; an audit record,
read only, for the administrator alone), sessions, the task queue and the history tables.
The administrator is a superuser, for whom Django grants every permission, so its group
holds none: its reach is what each ModelAdmin allows at all. Not
even the administrator can read an API key: only digests are stored
(``gis_portal.authentication``).

Groups are created and their permissions set by ``roles_sync`` (run by the demo loader and
by ``manage.py sync_roles`` after migrations add models); tests/portal/test_admin_permissions.py
holds the whole table per model and fails on an admin model nobody decided about.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VIEW = ("view",)
EDIT = ("view", "add", "change", "delete")
# Written by a process (a conversion, a siting run), kept as the record: read only.
RECORD = VIEW


@dataclass(frozen=True)
class Role:
    slug: str
    group_name: str
    description: str
    models: dict[str, tuple[str, ...]] = field(default_factory=dict)
    superuser: bool = False


ROLES: tuple[Role, ...] = (
    Role(
        "placename_officer",
        "地名管理员",
        "编辑地名、街路巷、路牌和门牌",
        {
            # A registered name is abolished (销名) only by an approved change request.
            "placenames.PlaceName": ("view", "add", "change"),
            "placenames.PlaceNameAlias": EDIT,
            # Reference lists, loaded from the national classification and GeoNames.
            "placenames.PlaceCategory": VIEW,
            "placenames.GeoNamesPlace": VIEW,
            # Signs of villages, residential areas, bridges…: the officers' inventory.
            "placenames.PlaceSign": EDIT,
            # Uploaded only through the culture page (size and content checks); the admin
            # shows and deletes them.
            "placenames.PlaceNameMedia": ("view", "delete"),
            "placenames.ProtectedName": EDIT,
            "addresses.Street": EDIT,
            "addresses.StreetFormerName": EDIT,
            "addresses.StreetSign": EDIT,
            "addresses.SignInspection": EDIT,
            "addresses.DoorPlate": EDIT,
            # The divisions a place name or a street lies in are picked from these.
            "boundaries.AdministrativeArea": VIEW,
        },
    ),
    Role(
        "boundary_officer",
        "界线管理员",
        "编辑行政区域界线、界桩、联检记录和坐标转换参数",
        {
            "boundaries.AdministrativeArea": EDIT,
            "boundaries.AreaPopulation": EDIT,
            "boundaries.BoundaryVersion": EDIT,
            "boundaries.BoundaryLine": EDIT,
            "boundaries.BoundaryMarker": EDIT,
            "boundaries.JointInspection": EDIT,
            "boundaries.MarkerFinding": EDIT,
            # Created by the fitting page and approved there; the admin keeps the evidence
            # read only and a set in use is protected from deletion.
            "boundaries.TransformationParameterSet": EDIT,
            "boundaries.ConversionRun": RECORD,
            "boundaries.LineParty": EDIT,
            "boundaries.InspectionParticipant": EDIT,
            # Uploaded through the pages (type and size checked); the admin shows them.
            "boundaries.BoundaryDocument": RECORD,
            # Written only by an approved change request (区划调整).
            "boundaries.DivisionAdjustment": RECORD,
            "boundaries.AdjustmentArea": RECORD,
        },
    ),
    Role(
        "planner",
        "规划人员",
        "维护民政设施、规划标准和选址方案",
        {
            "facilities.Programme": EDIT,
            "facilities.FacilityType": EDIT,
            # The plan's periods, indicators and targets, and the yearly figures entered
            # against them (every version kept by the history trigger).
            "facilities.PlanPeriod": EDIT,
            "facilities.Indicator": EDIT,
            "facilities.PlanTarget": EDIT,
            "facilities.IndicatorValue": EDIT,
            "facilities.Facility": EDIT,
            "facilities.DemandUnit": EDIT,
            # A scenario is saved by its run: renamed or discarded here, never made up.
            "facilities.Scenario": ("view", "change", "delete"),
            "facilities.SitingRun": RECORD,
            # Counties, communities and census figures behind demand; place names that a
            # facility is linked to.
            "boundaries.AdministrativeArea": VIEW,
            "boundaries.AreaPopulation": VIEW,
            "placenames.PlaceName": VIEW,
        },
    ),
    Role("administrator", "系统管理员", "管理账户和全部数据", superuser=True),
    # Another department's account for the sharing API (OGC API Features): it reads, with a
    # key of scope ogc:read, the staff layers every staff role reads (gis_portal.catalogue
    # .registry.may_read_shared); it edits nothing and sees no admin page.
    Role("department", "部门共享账户", "其他部门经 OGC API 读取共享图层"),
)

ROLE_BY_SLUG = {r.slug: r for r in ROLES}
