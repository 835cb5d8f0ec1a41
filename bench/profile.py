"""Where does a request's time go? Profile one URL in-process.

    python -m bench.profile "/api/stations/nearby/?lat=31.23&lng=121.47&radius=2000&limit=20"
    python -m bench.profile --staff shanghai /admin/stations/station/ --repeat 10

Runs the request through the full middleware stack with Django's test client
(benchmark settings, DEBUG off), --repeat times after one warm-up, and prints
the SQL it ran with each query's time, then cProfile's top functions by
cumulative and by own time. Standard library only.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import time
from pathlib import Path

from bench.generate import setup_django


def setup_pages():
    """Django with the benchmark settings, ready to serve pages in-process:
    a random SECRET_KEY unless one is set, and the manifest of hashed static
    names that every page needs with DEBUG off."""
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--staff", metavar="CITY", help="Log in as the bench city-staff user of this city.")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    setup_pages()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_REAL_IP="10.7.7.7", HTTP_X_FORWARDED_FOR="10.7.7.7")
    if args.staff:
        from bench.run import city_staff

        user, _ = city_staff(args.staff)
        client.force_login(user)
    response = client.get(args.path)
    print(f"status {response.status_code}, {len(response.content)} bytes")
    with CaptureQueriesContext(connection) as captured:
        client.get(args.path)
    total = sum(float(q["time"]) for q in captured.captured_queries)
    print(f"{len(captured.captured_queries)} queries, {total * 1000:.1f} ms in the database:")
    for query in captured.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.repeat):
        client.get(args.path)
    profiler.disable()
    print(f"\n{(time.perf_counter() - started) / args.repeat * 1000:.1f} ms per request (profiled)")
    for order in ("cumulative", "tottime"):
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(args.top)
        print(stream.getvalue())


if __name__ == "__main__":
    main()
