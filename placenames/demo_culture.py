"""The culture and sign demo: generated signs, stories, register entries and media.

Every record written here is flagged ``is_demo`` and every generated text starts with the
archive's demo mark, so no page can pass it off as the bureau's: the 532 real records keep
their 来历/含义/沿革 empty (they are in the census forms, imported by the officers). Signs are
generated for real and demo places alike (a sign is a demo record either way). All choices
follow from a hash of the place code: loading twice gives the same records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import struct
import wave

from django.db import transaction
from PIL import Image, ImageDraw

from placenames import sign_coverage
from placenames.demo_archive import DEMO_MARK
from placenames.models import (
    PlaceName,
    PlaceNameMedia,
    PlaceSign,
    PlaceSignKind,
    PlaceSignStatus,
    ProtectedName,
)
from placenames.services.culture import placename_media_add, protected_name_set

SIGNED_PER_MILLE = 720  # ~72 % of the places get a sign: a plausible mid-plan coverage
REMOVED_PER_MILLE = 40
STORIES = 80
PROTECTED = 8
LISTED_ON = dt.date(2025, 6, 1)


def _unit(code: str, salt: str) -> int:
    """Return a stable number 0–999 for a place code and a purpose."""
    return int(hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()[:8], 16) % 1000


def _signs(places: list[PlaceName]) -> list[PlaceSign]:
    out = []
    for place in places:
        rule = sign_coverage.sign_rule_of(place.category.code)
        if rule is None or rule[1] == "street":  # street signs come with the address demo
            continue
        if _unit(place.place_code, "signed") >= SIGNED_PER_MILLE:
            continue
        year = 2012 + _unit(place.place_code, "year") % 14  # 2012–2025
        installed = dt.date(year, 1 + _unit(place.place_code, "month") % 12, 1)
        removed = _unit(place.place_code, "removed") < REMOVED_PER_MILLE
        out.append(
            PlaceSign(
                place=place,
                kind=rule[1],
                text_zh=place.standard_name,
                text_pinyin=place.pinyin,
                point_4490=place.point_4490,
                status=PlaceSignStatus.REMOVED if removed else PlaceSignStatus.INSTALLED,
                installed_on=installed,
                removed_on=installed.replace(year=min(year + 4, 2025)) if removed else None,
                note=f"{DEMO_MARK}{PlaceSignKind(rule[1]).label}",
                is_demo=True,
            )
        )
    return out


def _story(place: PlaceName) -> dict[str, str]:
    specific = place.standard_name[:2]
    return {
        "origin": f"{DEMO_MARK}相传早年有人在此开垦定居，以“{specific}”为名，沿用至今。",
        "meaning": f"{DEMO_MARK}“{specific}”寄托居民对安居乐业的期望。",
        "history": f"{DEMO_MARK}1950 年代形成聚落；1984 年地名普查时登记；2014 年第二次全国地名普查复查确认。",
    }


def demo_photo(seed: str) -> bytes:
    """Return a small generated picture (a landscape of flat shapes), PNG bytes."""
    unit = _unit(seed, "photo")
    image = Image.new("RGB", (640, 420), (188 + unit % 50, 214, 235))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 300), (180, 140 + unit % 60), (360, 300)], fill=(92, 122, 88))
    draw.polygon([(220, 300), (430, 120), (640, 300)], fill=(70, 100, 70))
    draw.rectangle((0, 300, 640, 420), fill=(150, 130, 90))
    draw.rectangle((420, 230, 520, 300), fill=(155, 28, 28))
    draw.polygon([(410, 230), (470, 190), (530, 230)], fill=(90, 40, 30))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def demo_recording(seed: str, *, seconds: float = 1.2, rate_hz: int = 8000) -> bytes:
    """Return a WAV of two tones standing in for a recorded pronunciation (not speech)."""
    base = 220 + _unit(seed, "tone") % 200
    frames = bytearray()
    for i in range(int(seconds * rate_hz)):
        pitch = base if i < seconds * rate_hz / 2 else base * 1.25
        fade = min(1.0, i / 400, (seconds * rate_hz - i) / 400)
        frames += struct.pack("<h", int(9000 * fade * math.sin(2 * math.pi * pitch * i / rate_hz)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate_hz)
        w.writeframes(bytes(frames))
    return out.getvalue()


def _clear_demo() -> None:
    # the files go when the deletion commits (gis_portal/stored_files.py)
    PlaceNameMedia.objects.filter(is_demo=True).delete()
    ProtectedName.objects.filter(is_demo=True).delete()
    PlaceSign.objects.filter(is_demo=True).delete()


def culture_load_demo() -> dict:
    """Write the demo signs, stories, register entries and media (replacing earlier demo ones)."""
    with transaction.atomic():
        _clear_demo()
        places = list(PlaceName.objects.select_related("category").order_by("place_code"))
        signs = PlaceSign.objects.bulk_create(_signs(places), batch_size=2000)
        storied = [
            p for p in places
            if p.is_demo and sign_coverage.sign_rule_of(p.category.code) and p.status == "in_use"
        ][:STORIES]  # fmt: skip
        for place in storied:
            for key, value in _story(place).items():
                setattr(place, key, value)
        PlaceName.objects.bulk_update(storied, ["origin", "meaning", "history"])
        for i, place in enumerate(storied[:PROTECTED]):
            century = i % 2 == 0
            protected_name_set(
                place=place,
                reason_kind="century" if century else "historic",
                reason=f"{DEMO_MARK}"
                + (
                    "沿用百年以上的老地名，记录了早期开发的历史。"
                    if century
                    else "见证地方历史变迁的历史地名。"
                ),
                in_use_since_year=1905 + i if century else None,
                listed_on=LISTED_ON,
                listed_by=f"{DEMO_MARK}鹤岗市民政局",
                is_demo=True,
            )
        media = 0
        for place in storied[:3]:
            placename_media_add(
                place=place, kind="photo", title=f"{place.standard_name}远景（演示图片）",
                file_name="demo.png", data=demo_photo(place.place_code), credit=DEMO_MARK,
                is_demo=True,
            )  # fmt: skip
            placename_media_add(
                place=place, kind="pronunciation", title=f"{place.standard_name}读音（演示音频，非真人录音）",
                file_name="demo.wav", data=demo_recording(place.place_code), credit=DEMO_MARK,
                is_demo=True,
            )  # fmt: skip
            media += 2
    return {
        "signs": len(signs),
        "stories": len(storied),
        "protected": min(PROTECTED, len(storied)),
        "media": media,
    }
