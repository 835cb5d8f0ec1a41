"""Test settings: the production settings module with test-only overrides."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
# Tests make many API requests from one address; test_api lowers the rate
# itself to prove that anonymous throttling works.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file rather than :memory:, so live-server tests (test_rating_concurrency)
    # get real concurrent connections; one per process, so parallel runs never collide.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"yizhan-test-{os.getpid()}.sqlite3"),
    }
# Cluster answers are cached in production; tests see the data they just wrote.
MAP_CLUSTER_CACHE_SECONDS = 0
# Dashboard sections are cached in production; tests see the data they just wrote.
DASHBOARD_CACHE_SECONDS = 0
# Nothing is collected in tests: WhiteNoise serves from the finders, and a
# missing STATIC_ROOT would only make it warn on every request.
STATIC_ROOT = None
