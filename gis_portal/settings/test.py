"""Test settings: like development, with fast password hashing; pytest-django makes its own test DB."""

from .dev import *  # noqa: F403
from .dev import DATABASES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the apps (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Test clients log in without a request object, which django-axes refuses; the throttling
# test switches it back on.
AXES_ENABLED = False

# Several checkouts may test against one local cluster at once: each names its own test
# database (pytest-django creates and drops it).
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_hegang")}

# One database: a replica alias (DATABASE_REPLICA_URL) mirrors the test database and nothing
# is routed to it; tests/portal/test_replica.py runs the portal against a real replica.
DATABASE_ROUTERS = []
