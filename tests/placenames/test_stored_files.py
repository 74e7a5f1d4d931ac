"""A stored photo, scan or agreement leaves the disk when the transaction that wrote it rolls
back, and when its record is deleted; a deletion that rolls back keeps it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from boundaries.models import BoundaryDocument
from boundaries.record_documents import boundary_document_attach, boundary_document_replace
from placenames.models import PlaceNameMedia
from placenames.services.culture import placename_media_add, placename_media_replace
from tests.editing.factories import demo_boundaries
from tests.placenames.culture_files import jpeg, png, wav

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ImportFailed(Exception):
    """A later row of an import that fails after the photo was stored."""


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _photo(place, title="桥头旧照"):
    return placename_media_add(
        place=place, kind="photo", title=title, file_name="旧照.jpg", data=jpeg()
    )


def test_a_photo_stored_by_a_failed_import_is_gone_after_the_rollback(make_place, media_root):
    place = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    with pytest.raises(ImportFailed), transaction.atomic():
        media = _photo(place)
        assert (media_root / media.file.name).is_file()
        assert (media_root / media.thumbnail.name).is_file()
        raise ImportFailed
    assert not PlaceNameMedia.objects.exists()
    assert _files(media_root) == []


def test_only_the_rolled_back_savepoint_loses_its_file(make_place, media_root):
    place = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    with transaction.atomic():
        kept = _photo(place, "留下的照片")
        with pytest.raises(ImportFailed), transaction.atomic():
            _photo(place, "撤销的照片")
            raise ImportFailed
    assert list(PlaceNameMedia.objects.values_list("title", flat=True)) == ["留下的照片"]
    assert _files(media_root) == sorted([kept.file.name, kept.thumbnail.name])


def test_a_committed_photo_stays_and_goes_when_its_record_is_deleted(
    make_place, media_root, django_capture_on_commit_callbacks
):
    place = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    with django_capture_on_commit_callbacks(execute=True):
        media = _photo(place)
    stored = media_root / media.file.name
    with pytest.raises(ImportFailed), transaction.atomic():
        PlaceNameMedia.objects.filter(pk=media.pk).delete()
        raise ImportFailed
    assert stored.is_file(), "a deletion that rolled back must keep the file"
    with django_capture_on_commit_callbacks(execute=True):
        place.media.all().delete()
    assert _files(media_root) == []


def test_an_agreement_of_a_refused_edit_is_not_left_on_disk(hegang_areas, media_root):
    line, _marker = demo_boundaries()
    with pytest.raises(ImportFailed), transaction.atomic():
        doc = boundary_document_attach(
            line=line,
            kind="agreement",
            title="界线协议书",
            file=SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf"),
            user=None,
        )
        assert (media_root / doc.file.name).is_file()
        raise ImportFailed
    assert not BoundaryDocument.objects.exists()
    assert _files(media_root) == []


def test_a_replaced_photo_leaves_the_disk_when_the_replacement_commits(
    make_place, media_root, django_capture_on_commit_callbacks
):
    place = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    with django_capture_on_commit_callbacks(execute=True):
        media = _photo(place)
    old = sorted([media.file.name, media.thumbnail.name])
    with django_capture_on_commit_callbacks(execute=True):
        placename_media_replace(media=media, file_name="新照.png", data=png(400, 300))
    media.refresh_from_db()
    assert media.content_type == "image/png" and media.width_px == 400
    assert _files(media_root) == sorted([media.file.name, media.thumbnail.name])
    assert not set(old) & set(_files(media_root))


def test_a_replacement_that_rolls_back_keeps_the_old_recording(
    make_place, media_root, django_capture_on_commit_callbacks
):
    place = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    with django_capture_on_commit_callbacks(execute=True):
        media = placename_media_add(
            place=place, kind="pronunciation", title="读音", file_name="读音.wav", data=wav()
        )
    old = media.file.name
    with pytest.raises(ImportFailed), transaction.atomic():
        placename_media_replace(media=media, file_name="重录.wav", data=wav(0.5))
        assert len(_files(media_root)) == 2  # the new one is on disk until the rollback
        raise ImportFailed
    assert PlaceNameMedia.objects.get(pk=media.pk).file.name == old
    assert _files(media_root) == [old]


def test_a_replaced_agreement_scan_goes_at_commit_and_stays_on_rollback(
    hegang_areas, media_root, django_capture_on_commit_callbacks
):
    line, _marker = demo_boundaries()

    def pdf(name, body=b""):
        return SimpleUploadedFile(name, PDF + body, content_type="application/pdf")

    with django_capture_on_commit_callbacks(execute=True):
        doc = boundary_document_attach(
            line=line, kind="agreement", title="界线协议书", file=pdf("a.pdf"), user=None
        )
    first = doc.file.name
    with pytest.raises(ImportFailed), transaction.atomic():
        boundary_document_replace(document=doc, file=pdf("b.pdf", b"%v2"), user=None)
        raise ImportFailed
    assert BoundaryDocument.objects.get(pk=doc.pk).file.name == first
    assert _files(media_root) == [first]
    doc.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        boundary_document_replace(document=doc, file=pdf("c.pdf", b"%v3"), user=None)
    doc.refresh_from_db()
    assert doc.file.name != first and _files(media_root) == [doc.file.name]
    assert (media_root / doc.file.name).read_bytes().endswith(b"%v3")
