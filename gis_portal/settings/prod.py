"""Production settings: everything from the environment, no defaults for secrets."""

from .base import *  # noqa: F403
from .base import database_from_env, directory_outside_code, env, with_replica

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: a deployment must set it
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = with_replica({"default": database_from_env()})
# Uploaded files (marker photos, request attachments) live on a volume of their own.
MEDIA_ROOT = directory_outside_code(env.str("MEDIA_ROOT"), setting="MEDIA_ROOT")

# TLS is terminated at the bureau's reverse proxy, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DEMO_ACCOUNTS = False
