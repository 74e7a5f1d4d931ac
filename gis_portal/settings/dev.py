"""Development settings: the project-local PostGIS cluster that `make run` starts."""

from .base import *  # noqa: F403
from .base import database_from_env, env, with_replica

LOCAL_DATABASE_URL = "postgis://hegang@127.0.0.1:{port}/hegang".format(
    port=env.int("LOCAL_PG_PORT", default=54329)
)

# `make run` serves like production (Chinese error pages, no URL list on a 404) unless
# asked: `DEBUG=1 make run`, or DJANGO_DEBUG=1 as before; DEBUG wins when both are set.
DEBUG = env.bool("DEBUG", default=env.bool("DJANGO_DEBUG", default=False))
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
DATABASES = with_replica({"default": database_from_env(LOCAL_DATABASE_URL)})

# The demo loader creates one account per role only where this is true.
DEMO_ACCOUNTS = True
