"""Error pages, DEBUG under `make run`, and what the logs say."""

import io
import json
import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
failing_urls = pytest.mark.urls("tests.portal.error_urls")


def _settings_debug(**env_overrides) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_DEBUG")}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="gis_portal.settings.dev")
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_dev_settings_serve_with_debug_off_unless_asked():
    assert _settings_debug() == "False"
    assert _settings_debug(DEBUG="1") == "True"
    assert _settings_debug(DJANGO_DEBUG="1") == "True"
    assert _settings_debug(DEBUG="0", DJANGO_DEBUG="1") == "False"


def _assert_portal_error_page(response, status: int, heading: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-CN"' in html
    assert heading in html
    assert "portal/portal.css" in html
    assert 'href="/">公众地图</a>' in html
    return html


def test_unknown_page_is_a_chinese_404_without_the_url_list(client):
    html = _assert_portal_error_page(client.get("/no-such-page/"), 404, "页面不存在")
    assert "URLconf" not in html
    assert "api/v1/" not in html
    assert "Not Found" not in html


def test_unknown_api_path_is_a_chinese_json_404(client):
    response = client.get("/api/v1/nonexistent")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "接口不存在：/api/v1/nonexistent", "code": "not_found"}


@failing_urls
def test_a_failing_view_gives_the_chinese_500_page_without_the_database(client):
    # No `db` fixture: any database query while rendering the page would fail the test.
    client.raise_request_exception = False
    html = _assert_portal_error_page(client.get("/boom/"), 500, "服务器内部错误")
    assert "secret detail" not in html
    assert "Traceback" not in html


@failing_urls
def test_a_failing_api_view_gives_a_chinese_json_500(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/test/boom/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "服务器内部错误" in response.json()["error"]
    assert "secret detail" not in response.content.decode()


@failing_urls
@pytest.mark.parametrize(
    ("route", "status", "heading", "code"),
    [
        ("forbidden/", 403, "没有访问权限", "permission_denied"),
        ("suspicious/", 400, "请求无效", "bad_request"),
    ],
)
def test_403_and_400_are_chinese_pages_and_json_under_the_api(client, route, status, heading, code):
    _assert_portal_error_page(client.get(f"/{route}"), status, heading)
    response = client.get(f"/api/v1/test/{route}")
    assert response.status_code == status
    assert response.json()["code"] == code


def test_csrf_failure_is_a_chinese_page(client, db):
    client.handler.enforce_csrf_checks = True
    html = _assert_portal_error_page(
        client.post("/accounts/login/", {"username": "a", "password": "b"}), 403, "安全校验失败"
    )
    assert "CSRF verification failed" not in html


@contextmanager
def _written(logger_name: str):
    """Collect what LOGGING's own handlers write for records of this logger."""
    stream = io.StringIO()
    swapped = []
    logger = logging.getLogger(logger_name)
    while logger is not None:
        for handler in logger.handlers:
            if type(handler).__module__.startswith("_pytest"):
                continue
            swapped.append((handler, handler.setStream(stream)))
        logger = logger.parent if logger.propagate else None
    try:
        yield stream
    finally:
        for handler, original in swapped:
            handler.setStream(original)


def _access_lines(client, path: str) -> list[dict]:
    with _written("portal.access") as stream:
        client.get(path)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_request_writes_one_json_access_line_without_the_query(client, db):
    [line] = _access_lines(client, "/healthz?token=s3cret")
    assert set(line) == {
        "time",
        "method",
        "path",
        "status",
        "duration_ms",
        "bytes",
        "user",
        "client",
    }
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["bytes"] > 0
    assert line["user"] == "-"
    assert line["client"] == "127.0.0.1"
    assert "s3cret" not in json.dumps(line)


def test_access_line_names_the_logged_in_user(client, django_user_model):
    user = django_user_model.objects.create_user(username="clerk", password="x")
    client.force_login(user)
    [line] = _access_lines(client, "/")
    assert line["user"] == str(user.pk)
    assert line["status"] == 200


def test_starting_django_logs_nothing_from_axes_or_procrastinate():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "gis_portal.settings.dev"}
    env.setdefault("DATABASE_URL", "postgis://hegang@127.0.0.1:54329/hegang")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    assert result.stdout == ""


def test_task_worker_logs_failed_jobs_but_not_every_job():
    worker = logging.getLogger("procrastinate.worker.worker")
    with _written("procrastinate.worker.worker") as stream:
        worker.info("Starting job facilities.fail_dead_runs[1]()", extra={"action": "start_job"})
        worker.error("Job facilities.run_siting[2]() ended: Error", extra={"action": "job_error"})
    logged = stream.getvalue()
    assert "fail_dead_runs" not in logged
    assert "ended: Error" in logged


def test_a_quiet_access_log_still_writes_the_refused_requests(client, db):
    # ACCESS_LOG_LEVEL=WARNING (the bench's setting) keeps the 4xx and 5xx lines only.
    logger = logging.getLogger("portal.access")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        assert _access_lines(client, "/healthz") == []
        [line] = _access_lines(client, "/no-such-page")
        assert line["status"] == 404
    finally:
        logger.setLevel(level)
