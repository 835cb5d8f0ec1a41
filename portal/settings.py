"""Settings for the Yizhan portal.

Everything a deployment changes comes from environment variables. Defaults are
safe for local development only: production must set DEBUG off, SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL, and the portal refuses to start without them.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or list(default)


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-deploy-this-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The address printed on QR posters; workers' phones must reach it.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Ratings anti-abuse: one rating per device per station per cooldown, and a
# per-network limit across stations. Behind a reverse proxy, name the header
# it sets with the client address (e.g. HTTP_X_REAL_IP), or every visitor
# shares the proxy's address.
RATING_COOLDOWN_HOURS = int(os.environ.get("RATING_COOLDOWN_HOURS", "12"))
RATING_IP_LIMIT_PER_HOUR = int(os.environ.get("RATING_IP_LIMIT_PER_HOUR", "60"))
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
# A rejected form (expired page, cookies blocked) gets a kind page, not a technical 403.
CSRF_FAILURE_VIEW = "ratings.views.public.csrf_failure"

# Below this share of satisfied ratings (0..1) the admin flags a station as low.
LOW_SATISFACTION_THRESHOLD = float(os.environ.get("LOW_SATISFACTION_THRESHOLD", "0.9"))

INSTALLED_APPS = [
    # SimpleAdminConfig: no admin autodiscover surprises, and django-leaflet's
    # admin module (which imports GeoDjango and needs GDAL) is never loaded.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI shipped with the app: /api/docs/ works offline
    "leaflet",
    "axes",
    "stations",
    "ratings",
    "oversight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

STATICFILES_DIRS = [BASE_DIR / "static"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# --- Database ---------------------------------------------------------------
# SQLite is the embedded default, PostgreSQL is production.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (several gunicorn workers, rating bursts) must queue,
    # not fail with "database is locked": WAL lets readers run beside the one
    # writer, IMMEDIATE takes the write lock at BEGIN so a transaction never
    # has to upgrade a read lock (which is what deadlocks), and the timeout
    # is how long a writer waits for its turn. Connections persist like
    # PostgreSQL's (CONN_MAX_AGE): opening one and reading the schema again
    # cost about 0.7 ms of every request.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "yizhan",
    }
}

# --- Authentication ---------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sessions expire: an unattended union-office PC does not stay logged in.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
# Keep management commands quiet: axes announces itself on every start otherwise.
AXES_VERBOSE = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]

# --- Supervision alerts (oversight.alerts) ------------------------------------
# A station alerts its manager and district chief when, within the window, at
# least ALERT_MIN_RATINGS visible ratings arrived and at least
# ALERT_DISSATISFIED_SHARE of them were dissatisfied, or when
# ALERT_PROBLEM_REPORTS unhandled problem reports arrived.
ALERT_WINDOW_HOURS = int(os.environ.get("ALERT_WINDOW_HOURS", "24"))
ALERT_MIN_RATINGS = int(os.environ.get("ALERT_MIN_RATINGS", "4"))
ALERT_DISSATISFIED_SHARE = float(os.environ.get("ALERT_DISSATISFIED_SHARE", "0.5"))
ALERT_PROBLEM_REPORTS = int(os.environ.get("ALERT_PROBLEM_REPORTS", "3"))
# The staff dashboard's numbers may be this many seconds old (0: always fresh).
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "300"))

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "yizhan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- 3-month rating rule -------------------------------------------------------
# A station is "at risk" (flagged in the admin, its managers warned by email)
# this many days before the rule steps it down.
RATING_RULE_WARNING_DAYS = int(os.environ.get("RATING_RULE_WARNING_DAYS", "30"))

# --- Production hardening ---------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 30)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining the browsers' HSTS preload list binds the whole domain and
        # its subdomains for months; only the domain's owner can decide that.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- REST API ----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Yizhan stations API",
    "DESCRIPTION": "Public data on trade-union rest stations for outdoor workers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Map ----------------------------------------------------------------------
# Stations are stored in WGS-84. MAP_TILES picks the tile source; sources in
# GCJ-02 (Amap, Tencent) make the map shift markers onto their streets.
MAP_TILES = os.environ.get("MAP_TILES", "osm")
TIANDITU_KEY = os.environ.get("TIANDITU_KEY", "")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (36.0671, 120.3826),
    "DEFAULT_ZOOM": 12,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

# Tile sources the map can use: django-leaflet layers plus the coordinate
# system the provider draws its streets in. Tianditu is WGS-84 (CGCS2000);
# Amap and Tencent are GCJ-02. OSM_TILE_URL points at a self-hosted tile
# server for intranets that cannot reach openstreetmap.org.
_TIANDITU = "https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + TIANDITU_KEY
_TIANDITU_ATTRS = {"subdomains": "01234567", "maxZoom": 18, "attribution": "© 天地图 Tianditu"}
MAP_TILE_SOURCES = {
    "osm": {
        "crs": "wgs84",
        "tiles": [("OpenStreetMap", os.environ.get("OSM_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
                   {"maxZoom": 19, "attribution": "© OpenStreetMap contributors"})],
        "overlays": [],
    },
    "tianditu": {
        "crs": "wgs84",
        "tiles": [("Tianditu", _TIANDITU % ("vec", "vec"), _TIANDITU_ATTRS)],
        "overlays": [("Labels", _TIANDITU % ("cva", "cva"), _TIANDITU_ATTRS)],
    },
    "amap": {
        "crs": "gcj02",
        "tiles": [("Amap", "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                   {"subdomains": "1234", "maxZoom": 18, "attribution": "© 高德地图 AutoNavi"})],
        "overlays": [],
    },
    "tencent": {
        "crs": "gcj02",
        "tiles": [("Tencent", "https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={-y}&type=vector&styleid=0",
                   {"subdomains": "0123", "maxZoom": 18, "attribution": "© 腾讯地图 Tencent"})],
        "overlays": [],
    },
}
if MAP_TILES not in MAP_TILE_SOURCES:
    raise ImproperlyConfigured(f"MAP_TILES must be one of {', '.join(MAP_TILE_SOURCES)}, not {MAP_TILES!r}.")
if MAP_TILES == "tianditu" and not TIANDITU_KEY:
    raise ImproperlyConfigured("MAP_TILES=tianditu needs TIANDITU_KEY (a browser key from the Tianditu console).")
# Zoomed-out map clusters are counted over many stations; the same view's
# answer is reused for this long (so "open now" may lag by as much).
MAP_CLUSTER_CACHE_SECONDS = int(os.environ.get("MAP_CLUSTER_CACHE_SECONDS", "60"))
LEAFLET_CONFIG["TILES"] = MAP_TILE_SOURCES[MAP_TILES]["tiles"]
LEAFLET_CONFIG["OVERLAYS"] = MAP_TILE_SOURCES[MAP_TILES]["overlays"]
