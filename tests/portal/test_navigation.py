"""The header shows each visitor the pages their sign-in and role open, and no others."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.editing.factories import role_user

pytestmark = pytest.mark.django_db

PUBLIC = ["公众地图", "地名查询", "门牌地址", "打印地图"]


def header_links(client: Client) -> list[str]:
    page = client.get("/placenames/").content.decode()
    nav = re.search(r"<nav id=\"site-nav\"[^>]*>(.*?)</nav>", page, re.S).group(1)
    return re.findall(r"<a href=\"[^\"]+\"[^>]*>([^<]+)</a>", nav)


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(role_user(f"nav-{role}", role))
    return client


def test_a_citizen_sees_only_the_public_pages_and_the_sign_in():
    assert header_links(Client()) == [*PUBLIC, "登录"]


def test_staff_see_the_pages_of_their_role():
    officer = header_links(signed_in("placename_officer"))
    assert officer[:4] == PUBLIC and "地图编辑" in officer and "变更审批" in officer
    assert "设施规划" not in officer  # the planner page answers 403 to an officer
    planner = header_links(signed_in("planner"))
    assert "设施规划" in planner
    # The admin link only for accounts that may open the admin site.
    for role in ("placename_officer", "boundary_officer", "planner"):
        client = Client()
        user = role_user(f"admin-link-{role}", role)
        client.force_login(user)
        assert ("管理" in header_links(client)) == user.is_staff


def test_the_administrator_sees_every_page():
    admin = header_links(signed_in("administrator"))
    expected = [*PUBLIC, "界线管理", "地图编辑", "变更审批", "设施规划", "接口文档", "管理"]
    assert admin == expected


def test_the_kiosk_switch_shows_the_lookup_pages_only_and_keeps_the_switch():
    client = signed_in("administrator")  # even a signed-in session left on the kiosk
    page = client.get("/placenames/?kiosk=1").content.decode()
    assert 'data-kiosk-page="1" data-kiosk="1"' in page
    nav = re.search(r"<nav id=\"site-nav\"[^>]*>(.*?)</nav>", page, re.S).group(1)
    links = re.findall(r"<a href=\"([^\"]+)\"[^>]*>([^<]+)</a>", nav)
    assert links == [
        ("/?kiosk=1", "公众地图"),
        ("/placenames/?kiosk=1", "地名查询"),
        ("/addresses/?kiosk=1", "门牌地址"),
    ]
    assert "退出" not in nav and "登录" not in nav


def test_staff_links_are_marked_for_the_layouts_that_hide_them():
    page = signed_in("placename_officer").get("/placenames/").content.decode()
    assert '<a href="/editor/" class="nav-staff">地图编辑</a>' in page
    assert '<a href="/placenames/">地名查询</a>' in page
