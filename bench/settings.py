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

from portal.settings import *  # noqa: E402,F403

# A URLconf that adds /bench/floor/ in front of the portal's own URLs; the
# portal's urls.py knows nothing about it, so production never exposes it.
ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
