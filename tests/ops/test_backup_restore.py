"""The restore drill: a backup restored into a fresh database keeps its data, its files and
its audit trail; a damaged archive or a non-empty target is refused before anything changes.

Runs scripts/backup.sh and scripts/restore.sh as an operator would, against the test
database (committed data: pg_dump sees only what is committed).
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

import pghistory
import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from psycopg import sql

from gis_portal.editing.models import ChangeDocument, ChangeRequest, DocumentKind
from gis_portal.metric_crs import to_metric
from placenames.addresses.models import DoorPlate
from placenames.addresses.numbering import rule_beijing
from placenames.addresses.services.plates import PlateRequest, plate_create, plate_move
from placenames.addresses.services.streets import street_create

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WEST, EAST, LAT = 130.280, 130.290, 47.3400
# Not text: a document must come back byte for byte, whatever it holds.
DOCUMENT = b"%PDF-1.4\n\x00\xff\xfe binary \xe5\x8b\x98\xe6\xb5\x8b\n" * 50
TABLES = (
    "addresses_street",
    "addresses_streetevent",
    "addresses_doorplate",
    "addresses_doorplateevent",
    "pghistory_context",
    "editing_changerequest",
    "editing_changedocument",
    "auth_user",
    "django_migrations",
)


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgis://{auth}@{db['HOST']}:{db['PORT']}/{name}"


def _connect(name: str) -> psycopg.Connection:
    return psycopg.connect(_url(name).replace("postgis://", "postgresql://"), autocommit=True)


def _database_exists(name: str) -> bool:
    with _connect("postgres") as c:
        return (
            c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        )


def _drop_database(name: str) -> None:
    with _connect("postgres") as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _script(name: str, *args: str, database: str, media: Path, force: bool = False):
    env = {**os.environ, "DATABASE_URL": _url(database), "MEDIA_ROOT": str(media)}
    env.pop("FORCE", None)
    if force:
        env["FORCE"] = "1"
    return subprocess.run(
        [str(ROOT / "scripts" / name), *args], env=env, capture_output=True, text=True, timeout=120
    )


def _counts(name: str) -> dict[str, int]:
    with _connect(name) as c:
        return {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _triggers(name: str) -> list[tuple]:
    with _connect(name) as c:
        return c.execute(
            "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled"
            " FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"
        ).fetchall()


@pytest.fixture
def source(tmp_path, settings):
    """A street, a door plate moved once (history), and a change request with a document."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with pghistory.context(source="restore_drill"):
        coords = ((WEST, LAT), (EAST, LAT))
        street = street_create(
            name="演练路", coords_4490=coords, rule=rule_beijing([to_metric(*c) for c in coords])
        )
        plate = plate_create(
            street_id=street.pk, request=PlateRequest(lon=130.285, lat=LAT + 0.0001, number=1)
        )
        plate_move(plate_id=plate.pk, lon=130.2851, lat=LAT + 0.0001)
    user = get_user_model().objects.create_user("drill_officer", password="unused-pass-9")
    request = ChangeRequest.objects.create(
        kind="boundary_marker",
        target_type=ContentType.objects.get_for_model(DoorPlate),
        target_id=plate.pk,
        reason="演练",
        submitted_by=user,
    )
    document = ChangeDocument(request=request, kind=DocumentKind.OTHER, uploaded_by=user)
    document.file.save("drill 勘测.pdf", ContentFile(DOCUMENT))
    return {"plate": plate, "document": document, "media": Path(settings.MEDIA_ROOT)}


@pytest.fixture
def restored_name():
    name = settings.DATABASES["default"]["NAME"] + "_restored"
    _drop_database(name)
    yield name
    _drop_database(name)


@pytest.fixture
def archive(source, tmp_path):
    out = tmp_path / "backup.tar"
    done = _script(
        "backup.sh", str(out), database=settings.DATABASES["default"]["NAME"], media=source["media"]
    )
    assert done.returncode == 0, done.stderr
    return out


def test_a_restored_backup_keeps_rows_files_triggers_and_records_new_edits(
    source, archive, restored_name, tmp_path
):
    media = tmp_path / "restored-media"
    done = _script("restore.sh", str(archive), database=restored_name, media=media)
    assert done.returncode == 0, done.stderr
    here = settings.DATABASES["default"]["NAME"]

    assert _counts(restored_name) == _counts(here)
    assert _triggers(restored_name) == _triggers(here)
    plate_id = source["plate"].pk
    with _connect(restored_name) as c:
        valid = c.execute(
            "SELECT bool_and(ST_IsValid(geom_4490)) FROM addresses_street"
            " UNION ALL SELECT bool_and(ST_IsValid(point_4490)) FROM addresses_doorplate"
        ).fetchall()
        assert valid == [(True,), (True,)]
        # An edit after the restore: version bumped, and recorded in the history.
        c.execute(
            "UPDATE addresses_doorplate SET point_4490 = ST_SetSRID(ST_MakePoint(130.2852, %s), 4490)"
            " WHERE id = %s",
            [LAT + 0.0001, plate_id],
        )
        version = c.execute("SELECT version FROM addresses_doorplate WHERE id = %s", [plate_id])
        assert version.fetchone()[0] == 3  # created 1, moved before the backup 2, now 3
        events = c.execute(
            "SELECT pgh_label, version, ST_X(point_4490) FROM addresses_doorplateevent"
            " WHERE pgh_obj_id = %s ORDER BY pgh_id",
            [plate_id],
        ).fetchall()
    assert [(label, v) for label, v, _ in events] == [("insert", 1), ("update", 2), ("update", 3)]
    assert events[-1][2] == pytest.approx(130.2852)

    name = source["document"].file.name
    assert (media / name).read_bytes() == DOCUMENT == (source["media"] / name).read_bytes()


def test_a_damaged_archive_is_refused_before_the_database_is_touched(
    archive, restored_name, tmp_path
):
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    # A dump altered after the backup, packed again with the original manifest.
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    dump = unpacked / "db.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    altered = tmp_path / "altered.tar"
    with tarfile.open(altered, "w") as tar:
        for member in ("MANIFEST.sha256", "INFO", "db.dump", "media"):
            tar.add(unpacked / member, arcname=member)

    media = tmp_path / "restored-media"
    for bad in (truncated, altered):
        done = _script("restore.sh", str(bad), database=restored_name, media=media)
        assert done.returncode != 0
        assert "refused" in done.stderr
        assert not _database_exists(restored_name)
        assert not media.exists()


def test_a_non_empty_target_is_refused_unless_forced(source, archive, restored_name, tmp_path):
    media = tmp_path / "restored-media"
    assert _script("restore.sh", str(archive), database=restored_name, media=media).returncode == 0
    with _connect(restored_name) as c:
        c.execute("DELETE FROM editing_changedocument")
    edited = _counts(restored_name)

    again = _script("restore.sh", str(archive), database=restored_name, media=media)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    assert _counts(restored_name) == edited

    forced = _script("restore.sh", str(archive), database=restored_name, media=media, force=True)
    assert forced.returncode == 0, forced.stderr
    assert _counts(restored_name) == _counts(settings.DATABASES["default"]["NAME"])
