"""The server's own time per request, without HTTP: median ms per scenario.

    python -m bench.inprocess                          # every scenario
    python -m bench.inprocess floor,nearby_dense --requests 300

Requests go through Django's test client (benchmark settings, DEBUG off, the
full middleware stack, one persistent database connection) for paths drawn
as bench/run.py draws them, each from a different client address. What
gunicorn and wrk add on top is the same for every scenario, so these figures
show where a request's cost lies and how a change moves it, on a quiet or a
busy machine alike (compare runs on the same machine only).
"""

import argparse
import random
import statistics
import time

from bench.profile import setup_pages

SCENARIOS = ("floor", "nearby_dense", "nearby_sparse", "map_city", "map_street", "station_page", "rate_get")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="?", default=",".join(SCENARIOS))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    setup_pages()
    from django.test import Client

    from bench.run import build_workload

    workload = build_workload(random.Random(args.seed), 300)
    workload["floor"] = ["/bench/floor/"]
    client = Client()
    for name in args.scenarios.split(","):
        paths = workload[name]
        for path in paths[:10]:  # warm-up: imports, caches, the connection
            client.get(path, HTTP_X_REAL_IP="10.255.0.1", HTTP_X_FORWARDED_FOR="10.255.0.1")
        times = []
        for index in range(args.requests):
            address = f"10.{index % 200}.{index // 200 % 250}.7"
            started = time.perf_counter()
            response = client.get(paths[index % len(paths)], HTTP_X_REAL_IP=address, HTTP_X_FORWARDED_FOR=address)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {paths[index % len(paths)]} answered {response.status_code}")
        times.sort()
        print(f"{name:14} median {statistics.median(times):6.2f} ms   p90 {times[int(0.9 * len(times))]:6.2f} ms"
              f"   ({len(times)} requests)")


if __name__ == "__main__":
    main()
