"""Benchmark settings: the production settings, plus the framework-floor URL.

Everything else (middleware, DEBUG off, database from DATABASE_URL, static
files through WhiteNoise) is exactly portal.settings, so the floor view and
the portal's pages pay the same per-request costs. The runner passes the
production environment (SECRET_KEY, ALLOWED_HOSTS, ...) explicitly; the
defaults below only let the generator and the smoke test start without it.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-never-deploy")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# The benchmark speaks plain HTTP over loopback: no redirect to HTTPS, and
# cookies without the Secure flag (a browser would not send them back).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")

from portal.settings import *  # noqa: E402,F403

# A URLconf that adds /bench/floor/ in front of the portal's own URLs; the
# portal's urls.py knows nothing about it, so production never exposes it.
ROOT_URLCONF = "bench.urls"

# Behind the reverse proxy a deployment runs, the client address comes from
# the proxy's header; the load generator sends a random one per request, so the
# per-IP limits see many phones, as in the street, not one loopback client.
CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

# Collected into a temporary folder by the runner, never over the project's own.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or str(BASE_DIR / "bench" / "out" / "static")  # noqa: F405
