"""Photos, scans and recordings of a name: size and type checks by content, bombs, thumbnails."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from placenames import culture
from placenames.models import PlaceNameMedia
from placenames.services.culture import CultureMediaRefused, placename_media_add
from tests.placenames.culture_files import jpeg, png, png_bomb, wav

LIMIT = 2 * 1024 * 1024


def test_a_photo_is_checked_by_its_content_and_gets_a_thumbnail():
    checked = culture.media_check(kind="photo", file_name="旧貌.JPG", data=jpeg(), max_bytes=LIMIT)
    assert checked.type.content_type == "image/jpeg"
    assert (checked.width_px, checked.height_px) == (800, 600)
    thumb = Image.open(io.BytesIO(checked.thumbnail))
    assert max(thumb.size) <= 320 and thumb.size == (320, 240)


@pytest.mark.parametrize(
    ("kind", "name", "data", "says"),
    [
        # not the type it claims
        ("photo", "photo.jpg", png(), "内容却是 PNG 图片"),
        (
            "photo",
            "photo.jpg",
            b"MZ\x90\x00" + b"\x00" * 200,
            "无法识别的内容（文件名声称是 JPEG 图片）",
        ),
        ("photo", "photo.png", b"<html><script>alert(1)</script></html>", "无法识别的内容"),
        ("pronunciation", "duyin.mp3", wav(), "内容却是 WAV 音频"),
        ("pronunciation", "duyin.wav", png(), "读音录音只接受"),
        ("photo", "recording.jpg", wav(), "文件内容是WAV 音频"),
        ("photo", "noext", png(), "扩展名“无”"),
        # an image bomb: 10^10 pixels declared in a few hundred bytes
        ("photo", "bomb.png", png_bomb(), "图片炸弹"),
        ("scan", "bomb.png", png_bomb(20_000, 20_000), "图片炸弹"),
        # a broken image that sniffs right
        ("photo", "cut.png", png()[:40], "已损坏"),
        ("photo", "empty.png", b"", "文件为空"),
    ],
)
def test_bad_media_is_refused_with_a_message_naming_the_problem(kind, name, data, says):
    with pytest.raises(culture.CultureInputError) as refused:
        culture.media_check(kind=kind, file_name=name, data=data, max_bytes=LIMIT)
    assert says in str(refused.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(culture.CultureInputError, match=r"超过上限 0\.0 MB，未保存"):
        culture.media_check(kind="photo", file_name="big.jpg", data=jpeg(), max_bytes=1_000)


def test_a_scan_may_be_a_pdf_and_a_recording_a_wav():
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert (
        culture.media_check(kind="scan", file_name="档案.pdf", data=pdf, max_bytes=LIMIT).thumbnail
        is None
    )
    recording = culture.media_check(
        kind="pronunciation", file_name="读音.wav", data=wav(), max_bytes=LIMIT
    )
    assert recording.type.content_type == "audio/wav"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PLACENAME_MEDIA_MAX_BYTES = LIMIT
    return tmp_path


@pytest.mark.django_db
def test_stored_files_live_under_media_root_by_digest_not_by_client_name(make_place, media_root):
    place = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    media = placename_media_add(
        place=place, kind="photo", title="桥头旧照", file_name="../../etc/passwd.jpg", data=jpeg()
    )
    stored = media_root / media.file.name
    assert stored.is_file() and stored.read_bytes() == jpeg()
    assert "passwd" not in media.file.name and media.file.name.startswith("placenames/media/")
    assert (media_root / media.thumbnail.name).is_file()
    assert (media.content_type, media.size_bytes, media.width_px) == (
        "image/jpeg",
        len(jpeg()),
        800,
    )


@pytest.mark.django_db
def test_a_refused_upload_changes_nothing(make_place, media_root):
    place = make_place("松鹤桥", category="23400", division="230405", lon=130.26, lat=47.21)
    with pytest.raises(CultureMediaRefused, match="图片炸弹"):
        placename_media_add(
            place=place, kind="photo", title="炸弹", file_name="b.png", data=png_bomb()
        )
    assert not PlaceNameMedia.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))
