"""What a hostile facility name can do to the files the portal hands out: nothing.

The coverage report is an HTML file opened from disk, with no server CSP to stop a script;
the spreadsheets are opened in Excel/WPS, which run a cell starting with = + - @ as a formula.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
from html.parser import HTMLParser
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from facilities.models import Facility
from tests.facilities.factories import demand, facility, user_with_role

pytestmark = pytest.mark.django_db

XSS = "${alert('XSS-tpl')}</script><script>alert(1)</script><img src=x onerror=alert(2)>"
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


class _Page(HTMLParser):
    """Collect what a browser would run: inline scripts, event-handler attributes, the CSP."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.csp: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.handlers += [(tag, name) for name in attrs if name.startswith("on")]
        if tag == "script":
            assert "src" not in attrs, "the report must not load a script file"
            self._in_script = True
            self.scripts.append("")
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(attrs["content"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.fixture
def planner_client(client, hegang_areas):
    user_with_role("planner", "planner", password="pw-for-tests-1")
    client.login(username="planner", password="pw-for-tests-1")
    demand("u1", 0, 0, elders=100)
    return client


def test_a_script_in_a_facility_name_does_not_run_in_the_report(planner_client):
    facility("eldercare_daycare", "daycare_centre", XSS, 10, 0, status="open")
    response = planner_client.get("/facilities/report.html?programme=eldercare_daycare")
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    assert not page.handlers, f"event handlers in the page: {page.handlers}"
    # The inline scripts are Leaflet, folium's two settings lines and the map script; none
    # is the injected one and none holds the name as code (a template literal `${...}`).
    assert len(page.scripts) == 3
    assert not any(s.strip() == "alert(1)" for s in page.scripts)
    assert not any("${alert(" in s for s in page.scripts)
    assert not any("</script" in s.lower() for s in page.scripts)
    # The name is still shown, as text.
    assert XSS in html.unescape(response.content.decode())


def test_the_report_carries_a_csp_that_allows_only_its_own_scripts(planner_client):
    facility("eldercare_daycare", "daycare_centre", "甲中心", 10, 0, status="open")
    response = planner_client.get("/facilities/report.html?programme=eldercare_daycare")
    text = response.content.decode()
    page = _Page()
    page.feed(text)
    assert len(page.csp) == 1
    policy = dict(
        (part.split()[0], part.split()[1:]) for part in page.csp[0].split(";") if part.strip()
    )
    assert policy["default-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert sorted(policy["script-src"]) == sorted({_sha256(s) for s in page.scripts})
    assert policy["img-src"] == ["data:"]  # Leaflet's images are inlined; nothing else loads
    # A <meta> policy covers only what follows it: it must come before the first script.
    assert text.index("Content-Security-Policy") < text.index("<script")


@pytest.fixture
def formula_named(hegang_areas):
    for i, name in enumerate(FORMULAS):
        facility("eldercare_daycare", "daycare_centre", name, 10 + i, 0, status="open")
    demand("u1", 0, 0, elders=100)


def _assert_quoted(values):
    for name in FORMULAS:
        # An .xlsx is XML, which reads a stored CR back as LF; the quote is what matters.
        quoted = {"'" + name, "'" + name.replace("\r", "\n")}
        assert quoted & set(values), f"{name!r} not neutralised in {values}"
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)


def test_coverage_workbook_quotes_formula_names(client, formula_named):
    user_with_role("planner", "planner", password="pw-for-tests-1")
    client.login(username="planner", password="pw-for-tests-1")
    response = client.get("/facilities/report.xlsx?programme=eldercare_daycare")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    _assert_quoted([c.value for c in cells])


def test_facility_exports_quote_formula_names(tmp_path, formula_named):
    xlsx = tmp_path / "f.xlsx"
    call_command("export_facilities", str(xlsx), stdout=StringIO())
    sheet = openpyxl.load_workbook(xlsx).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    _assert_quoted([c.value for c in cells])
    # Coordinates stay numbers, not quoted text.
    assert all(isinstance(c.value, float) for c in sheet["D"][1:])

    out = tmp_path / "f.csv"
    call_command("export_facilities", str(out), stdout=StringIO())
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    _assert_quoted([v for row in rows for v in row])


HEADER = ["名称", "服务项目", "类型", "经度", "纬度", "地址"]


def test_import_refuses_a_formula_name_in_csv(tmp_path, hegang_areas):
    path = tmp_path / "f.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow(["甲中心", "rescue", "rescue_point", 130.30, 47.34, ""])
        w.writerow(['=HYPERLINK("http://x","y")', "rescue", "rescue_point", 130.30, 47.35, ""])
        w.writerow(["丙中心", "rescue", "rescue_point", 130.31, 47.35, "@SUM(A1)"])
    with pytest.raises(CommandError) as err:
        call_command("import_facilities", str(path), stdout=StringIO())
    msg = str(err.value)
    assert "第 3 行 [名称]" in msg and "公式" in msg
    assert "第 4 行 [地址]" in msg
    assert "第 2 行" not in msg
    assert not Facility.objects.exists()


@pytest.mark.parametrize("as_text", [False, True], ids=["formula-cell", "text-cell"])
def test_import_refuses_a_formula_name_in_xlsx(tmp_path, hegang_areas, as_text):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(['=HYPERLINK("http://x","y")', "rescue", "rescue_point", 130.30, 47.35, ""])
    if as_text:
        sheet["A2"].data_type = "s"
    path = tmp_path / "f.xlsx"
    book.save(path)
    with pytest.raises(CommandError) as err:
        call_command("import_facilities", str(path), stdout=StringIO())
    assert "第 2 行 [名称]" in str(err.value) and "公式" in str(err.value)
    assert not Facility.objects.exists()
