"""The Docker deployment and the production settings' file locations (no database)."""

import importlib
import shutil
import subprocess
import sys

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ROOT = settings.BASE_DIR
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_compose_requires_the_database_password():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "POSTGRES_PASSWORD:-" not in text
    db_env = COMPOSE["services"]["db"]["environment"]
    assert db_env["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    for name in ("web", "worker"):
        url = COMPOSE["services"][name]["environment"]["DATABASE_URL"]
        assert "${POSTGRES_PASSWORD:?" in url, name


def test_compose_runs_a_siting_worker_and_migrates_once():
    services = COMPOSE["services"]
    worker = _command(services["worker"])
    assert "procrastinate worker" in worker and "--queues siting" in worker
    assert "fail_dead_runs" in worker
    migrating = [name for name, s in services.items() if "migrate" in _command(s)]
    assert migrating == ["migrate"]
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD"))
    assert "migrate" not in cmd
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }


def test_compose_keeps_uploads_on_a_volume_outside_the_code():
    for name in ("web", "worker"):
        service = COMPOSE["services"][name]
        media_root = service["environment"]["MEDIA_ROOT"]
        assert not media_root.startswith("/app")  # the image's WORKDIR holds the code
        assert f"media:{media_root}" in service["volumes"], name
    assert "media" in COMPOSE["volumes"]


def test_uploads_in_the_checkout_are_git_ignored():
    probe = ROOT / "media" / "boundaries" / "markers" / "photo.jpg"
    result = subprocess.run(
        [shutil.which("git"), "check-ignore", "-q", str(probe.relative_to(ROOT))],
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0


@pytest.fixture
def prod_settings(monkeypatch):
    """Import the production settings module afresh under a chosen environment."""
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "gis.example.gov.cn")
    monkeypatch.setenv("DATABASE_URL", "postgis://hegang@127.0.0.1:54329/hegang")
    monkeypatch.delenv("MEDIA_ROOT", raising=False)

    def load():
        sys.modules.pop("gis_portal.settings.prod", None)
        try:
            return importlib.import_module("gis_portal.settings.prod")
        finally:
            sys.modules.pop("gis_portal.settings.prod", None)

    return load


def test_production_settings_require_media_root(prod_settings):
    with pytest.raises(ImproperlyConfigured, match="MEDIA_ROOT"):
        prod_settings()


@pytest.mark.parametrize("inside", ["media", ".", "gis_portal/../media"])
def test_production_settings_refuse_media_inside_the_code(prod_settings, monkeypatch, inside):
    monkeypatch.setenv("MEDIA_ROOT", str(ROOT / inside))
    with pytest.raises(ImproperlyConfigured, match="MEDIA_ROOT"):
        prod_settings()


def test_production_settings_accept_media_outside_the_code(prod_settings, monkeypatch, tmp_path):
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path / "media"))
    assert str(prod_settings().MEDIA_ROOT) == str(tmp_path / "media")
