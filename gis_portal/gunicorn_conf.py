"""Gunicorn settings for scripts/run.sh: the portal's LOGGING, and one line when it is up.

Loaded in the gunicorn master (`gunicorn -c python:gis_portal.gunicorn_conf`), which reads
the Django settings module but never sets Django up; the workers do that themselves.
"""

import logging
import os

from django.conf import settings
from gunicorn.glogging import Logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_portal.settings.prod")
# Set before the settings are first read (the next line): no parallel plans in the served
# portal's sessions (DATABASE_PARALLEL_WORKERS in gis_portal/settings/base.py).
os.environ.setdefault("DATABASE_PARALLEL_WORKERS", "0")

logconfig_dict = settings.LOGGING
# gis_portal.logs.AccessLogMiddleware writes the access log, with the user and duration.
accesslog = None


class PortalLogger(Logger):
    """Gunicorn's logger without its access log, which the middleware already writes.

    With ``logconfig_dict`` set, gunicorn builds the access-log fields of every request
    (headers, environ, times) and hands them to a logger that drops them: ~3 % of a public
    lookup's CPU under load (py-spy, bench/bench_load.py), ~6 % of a cached one's.
    """

    @property
    def access_log_enabled(self) -> bool:
        return False

    def access(self, resp, req, environ, request_time) -> None:
        return None


logger_class = PortalLogger


def when_ready(server) -> None:
    """Log the one start-up line: where the portal listens and how it runs."""
    cfg = server.cfg
    logging.getLogger("portal").info(
        "started at %s (pid %d, settings %s, DEBUG %s, %d workers × %d threads)",
        ", ".join(f"http://{address}/" for address in cfg.bind),
        os.getpid(),
        os.environ["DJANGO_SETTINGS_MODULE"],
        "on" if settings.DEBUG else "off",
        cfg.workers,
        cfg.threads,
    )
