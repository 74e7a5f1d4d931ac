"""Settings shared by every environment; everything deployment-specific comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from gis_portal.client_address import trusted_networks

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    # API keys stored as digests (gis_portal.authentication); before gis_portal, whose
    # admin replaces knox's.
    "knox",
    "gis_portal",
    "boundaries",
    "placenames",
    "placenames.addresses",
    "facilities",
    "gis_portal.editing",
    # Trigger-based history of edited features (captures bulk writes and raw SQL too).
    "pgtrigger",
    "pghistory",
    # Background siting runs: a PostgreSQL-only task queue (worker started by scripts/run.sh).
    "procrastinate.contrib.django",
]

MIDDLEWARE = [
    "gis_portal.logs.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Widens img-src to the intranet raster base layer's origin when one is configured.
    "gis_portal.maps.csp.RasterBaseCSPMiddleware",
    # Refuses an oversized body before anything reads or spools it (CsrfViewMiddleware reads
    # request.POST); only header-only middleware may sit above it, so 413s get their headers.
    "gis_portal.limits.RequestBodyLimitMiddleware",
    # NUL/control characters in query strings and path segments: 400 before any view runs.
    "gis_portal.input_safety.SafeInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gis_portal.db_routers.ReplicaReadsMiddleware",
    # The public lookups' statements bound on the server and prepared (gis_portal/db_backend).
    "gis_portal.public_cache.ServerBoundLookupsMiddleware",
    # Anonymous public lookups answered from this process's memory while the data generation
    # is unchanged (needs the user and the read database, so after the two above).
    "gis_portal.public_cache.PublicAnswerCacheMiddleware",
    # History context (user, path) of every writing request; a DRF token user is picked up
    # too, because the middleware watches request.user being set.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Login throttling; must stay last.
    "axes.middleware.AxesMiddleware",
]

# The history context of writing requests only: pghistory's default includes GET, which
# then prefixes every non-SELECT statement of every read (the CTE queries of the search and
# the tiles) with two set_config calls and a JSON dump of the context, for nothing — no GET
# writes a tracked row. ~6 % of a public lookup's CPU under load (py-spy, bench_load).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Refuses demo accounts wherever settings.DEMO_ACCOUNTS is false.
    "gis_portal.demo_accounts.DemoAccountRefusalBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Login throttling (django-axes): 5 failures for one username from one address lock that
# pair out for 15 minutes. The pair, not the username alone: a username-only lock would let
# anyone lock the administrator out with five wrong passwords.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind the bureau's reverse proxy every request arrives from the proxy's address; the
# client's is taken from X-Forwarded-For as written by these proxies only (addresses or
# CIDR blocks, comma-separated; empty: no proxy, the peer address is the client's).
TRUSTED_PROXIES = trusted_networks(env.list("TRUSTED_PROXIES", default=[]))
AXES_CLIENT_IP_CALLABLE = "gis_portal.client_address.request_client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Migrations live in the top-level migrations/ package, one sub-package per app.
MIGRATION_MODULES = {
    app: f"migrations.{app}"
    for app in ("gis_portal", "boundaries", "placenames", "addresses", "facilities", "editing")
}

ROOT_URLCONF = "gis_portal.urls"
WSGI_APPLICATION = "gis_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gis_portal.map_view.map_view_context",
                "gis_portal.navigation.navigation_context",
            ],
        },
    },
]

# Memory per server process for the answers of the public lookups (gis_portal/public_cache.py);
# 0 turns the cache off.
PUBLIC_CACHE_MB = env.float("PUBLIC_CACHE_MB", default=32)

# A runaway query must not hold a worker: every statement is cut off after this many ms.
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=30_000)
# PostgreSQL's max_parallel_workers_per_gather for this process's sessions; unset, the
# server's. The served portal sets 0 (gis_portal/serve.py): its requests are many
# and small, and a parallel plan of one LIMITed lookup (a common two-character search) took
# twice as long and both cores from the other requests (bench/bench_load.py).
DATABASE_PARALLEL_WORKERS = env.int("DATABASE_PARALLEL_WORKERS", default=None)
# How often the same statement runs on one connection before it is prepared there, for the
# statements bound on the server (the public lookups: gis_portal/db_backend/base.py); every
# other statement is bound on the client and never prepared.
DATABASE_PREPARE_THRESHOLD = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
# The OGC API's items queries (a department's filter may name any queryable) are cut sooner:
# a filter that scans a large layer is refused with a message instead of holding a worker.
OGC_STATEMENT_TIMEOUT_MS = env.int("OGC_STATEMENT_TIMEOUT_MS", default=5_000)


def directory_outside_code(path: str | Path, *, setting: str) -> Path:
    """Return ``path`` resolved, or raise ImproperlyConfigured if it lies inside BASE_DIR."""
    resolved = Path(path).resolve()
    if resolved == BASE_DIR or BASE_DIR in resolved.parents:
        raise ImproperlyConfigured(
            f"{setting} ({resolved}) lies inside the code ({BASE_DIR}): uploads would be "
            "served from, and lost with, the checkout or image. Point it at a data volume."
        )
    return resolved


def database_from_env(default_url: str | None = None, *, var: str = "DATABASE_URL") -> dict:
    """Return the settings of the database at the URL (postgis://…) in ``var``."""
    db = env.db(var, default=default_url)
    # PostGIS, with kept-alive connections health-checked only after an idle second.
    db["ENGINE"] = "gis_portal.db_backend"
    db.setdefault("OPTIONS", {})
    # synchronize_seqscans off: a scan stopped by a LIMIT (the search's broad substring
    # branch, placenames/search_plan.py) must start at the table's first page, or
    # concurrent searches would each find a different first 500 names.
    db["OPTIONS"]["options"] = (
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS} -c synchronize_seqscans=off"
    )
    if DATABASE_PARALLEL_WORKERS is not None:
        db["OPTIONS"]["options"] += (
            f" -c max_parallel_workers_per_gather={DATABASE_PARALLEL_WORKERS}"
        )
    db["OPTIONS"]["prepare_threshold"] = DATABASE_PREPARE_THRESHOLD
    db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    db["CONN_HEALTH_CHECKS"] = True
    db["HEALTH_CHECK_AFTER_IDLE_S"] = env.float("DATABASE_HEALTH_CHECK_IDLE_S", default=1.0)
    return db


# Public reads from a PostgreSQL streaming replica, when one is configured: anonymous GET and
# HEAD requests read from it; writes, signed-in users and migrations stay on the primary
# (gis_portal/db_routers.py). Tests use the primary only (TEST MIRROR, settings/test.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_ROUTERS = ["gis_portal.db_routers.PrimaryReplicaRouter"] if DATABASE_REPLICA_URL else []
# A replica that does not answer is left alone this long; the primary serves its reads.
DATABASE_REPLICA_RETRY_S = env.int("DATABASE_REPLICA_RETRY_S", default=10)


def with_replica(databases: dict) -> dict:
    """Return ``databases`` with the "replica" alias added when DATABASE_REPLICA_URL is set."""
    if not DATABASE_REPLICA_URL:
        return databases
    replica = database_from_env(var="DATABASE_REPLICA_URL")
    # Fail over to the primary quickly when the replica's host is gone.
    replica["OPTIONS"]["connect_timeout"] = env.int("DATABASE_REPLICA_CONNECT_TIMEOUT_S", default=3)
    replica["TEST"] = {"MIRROR": "default"}
    return {**databases, "replica": replica}


AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The model of the administrative areas that edit scopes and the editor name (the ground
# floor reaches it through gis_portal.areas.area_model, never by importing its app).
AREA_MODEL = "boundaries.AdministrativeArea"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files. The default (inside the checkout) is git-ignored and for development only;
# production settings require a directory outside the code.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads: form fields stay small; files are capped by the importers' own limit, which
# they check before reading (a zip bomb is checked on its uncompressed size too).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
# Photos, scans and recordings of a place name (placenames/services/culture.py); never above
# UPLOAD_MAX_BYTES.
PLACENAME_MEDIA_MAX_BYTES = env.int("PLACENAME_MEDIA_MAX_BYTES", default=20_000_000)
# Years a division code given up by an ended unit stays unused (区划调整). The bureau's
# setting: no national figure was found.
DIVISION_CODE_RETENTION_YEARS = env.int("DIVISION_CODE_RETENTION_YEARS", default=5)
# Any other URL refuses a body over this (413) before it is read: views that take files
# say so with gis_portal.limits.accepts_upload and get UPLOAD_MAX_BYTES instead.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=5 * 1024 * 1024)

# Heavy work (exports, reports, coverage; views marked gis_portal.throttles.heavy_work):
# requests per client and scope ("N/s|min|hour|day", "" = no limit), counted in PostgreSQL
# so every server process shares them; signed-in staff have their own (default: none).
THROTTLE_RATES = {
    "export": {
        "anon": env.str("THROTTLE_ANON_EXPORT", default="20/hour"),
        "user": env.str("THROTTLE_USER_EXPORT", default=""),
    },
    "compute": {
        "anon": env.str("THROTTLE_ANON_COMPUTE", default="60/hour"),
        "user": env.str("THROTTLE_USER_COMPUTE", default=""),
    },
    # A printed sheet takes seconds to a minute (A0) of one core.
    "print": {
        "anon": env.str("THROTTLE_ANON_PRINT", default="10/hour"),
        "user": env.str("THROTTLE_USER_PRINT", default=""),
    },
}
# At most this many heavy requests run at once across all processes (advisory-lock slots;
# 0 turns a pool's heavy work off); scripts/run.sh serves 2 workers x 4 threads, so at
# least 3 threads stay free for public lookups. The planner page alone asks for two figures
# at once, so staff get 4 slots (the page retries a 503 after its Retry-After).
HEAVY_WORK_SLOTS = {
    "anon": env.int("HEAVY_WORK_SLOTS_ANON", default=1),
    "user": env.int("HEAVY_WORK_SLOTS_USER", default=4),
}

# No page loads anything from another host: the intranet has no internet.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "gis_portal.openapi.PortalAutoSchema",
    # DRF's parsers, refusing NUL/control characters/lone surrogates (gis_portal.input_safety).
    "DEFAULT_PARSER_CLASSES": [
        "gis_portal.input_safety.SafeJSONParser",
        "gis_portal.input_safety.SafeFormParser",
        "gis_portal.input_safety.SafeMultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "gis_portal.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "gis_portal.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# API keys (django-rest-knox): printed once by `manage.py issue_token`, kept as a SHA-512
# digest. A department script's key lasts a quarter by default, then is issued anew;
# `issue_token --ttl-days` sets another term for one key.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "鹤岗市民政地理信息服务 API",
    "DESCRIPTION": "地名、区划界线与民政设施选址 (Hegang civil-affairs GIS). "
    "Geometries are CGCS2000 (EPSG:4490) longitude/latitude, emitted as GeoJSON.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc from the sidecar package: the docs page works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gis_portal.openapi.geojson_null_geometry",
    ],
}

# One configuration for the web workers, the task worker, management commands and the
# server's master process (gis_portal/serve.py hands it to granian). Text lines on stderr;
# the access log (gis_portal.logs.AccessLogMiddleware) is one JSON line per request on stdout.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "gis_portal.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "text"},
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # ACCESS_LOG_LEVEL=WARNING keeps only the 4xx/5xx lines (the bench sets it: its
        # thousands of timed requests would bury the figures).
        "portal.access": {
            "handlers": ["access"],
            "level": env.str("ACCESS_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        # Each of these says the same INFO lines at every process start (axes its version,
        # procrastinate every task it registers) and procrastinate two more for every job,
        # which the once-a-minute periodic task turns into a stream. Their warnings and
        # errors (a failed job) still show; the worker's start line is printed by its CLI.
        "axes": {"level": "WARNING"},
        "procrastinate": {"level": "WARNING"},
        # matplotlib's PDF backend subsets the embedded CJK font through fontTools, which
        # logs some twenty INFO lines for every printed sheet.
        "fontTools": {"level": "WARNING"},
        # "Not Found: /x" and the like repeat the access log; 5xx tracebacks are errors.
        "django.request": {"level": "ERROR"},
        # granian's start-up chatter (listening, each worker spawned) is replaced by the one
        # start line of gis_portal.serve; its warnings and errors (a worker that died) stay.
        "_granian": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "granian.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}

# The city's own bounding box (CGCS2000 lon/lat), used to reject points that cannot be in
# Hegang before any database work; the precise test is against the city polygon.
HEGANG_BBOX_4490 = (129.4, 47.0, 132.6, 48.5)
HEGANG_CITY_CODE = "230400"

# Where every page's map starts (CGCS2000 lon/lat and a web-map zoom level), passed to the
# shared map script by the base template (gis_portal/map_view.py). The centre is the city
# seat, GeoNames 2036986 鹤岗 (47.34727 N, 130.29033 E, in 向阳区); zoom 8 shows the whole
# city on a desktop screen. tests/portal/test_map_view.py checks both against the city
# polygon in data/hegang. A page may ask for another zoom (the address map: street level).
HEGANG_MAP_CENTRE_4490 = (130.2903, 47.3473)
HEGANG_MAP_ZOOM = 8
# The touch-screen kiosk goes back to its start view after this many seconds untouched
# (the next citizen must not see the last one's search).
KIOSK_IDLE_RESET_S = env.int("KIOSK_IDLE_RESET_S", default=90)

# An optional raster base layer under the base map, from a tile server on the bureau's
# intranet (e.g. the government edition of 天地图 as WMTS KVP or XYZ, with {z}/{x}/{y} in
# the URL). Off unless HEGANG_BASEMAP_RASTER_URL is set; the pages' CSP then allows images
# from that one origin only (gis_portal/maps/csp.py). Nothing else ever leaves the server.
_RASTER_URL = env("HEGANG_BASEMAP_RASTER_URL", default="")
HEGANG_BASEMAP_RASTER = (
    {
        "tiles": [_RASTER_URL],
        "attribution": env("HEGANG_BASEMAP_RASTER_ATTRIBUTION", default="天地图（政务版）"),
        "max_zoom": env.int("HEGANG_BASEMAP_RASTER_MAX_ZOOM", default=18),
    }
    if _RASTER_URL
    else None
)

# Debian 12 ships GDAL 3.6, which cannot block file/network access from spatial reference
# strings. The project never hands user-supplied SRS text to GDAL: uploaded .prj files are
# identified with pyproj and mapped to an EPSG code from a whitelist (see the importers).
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
