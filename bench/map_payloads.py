"""Map feed sizes and server times at country, city and street zoom, and the
map page's own weight. In-process (Django test client): server time only,
no network; sizes raw and gzipped (what a proxy with gzip on sends).

    DATABASE_URL=sqlite:////tmp/bench-200k.sqlite3 python -m bench.generate --fresh --ratings 200000
    DATABASE_URL=sqlite:////tmp/bench-200k.sqlite3 python -m bench.map_payloads
"""

import gzip
import math
import statistics
import sys
import time

from bench.generate import setup_django

RUNS = 7
# (label, zoom, centre lat, centre lng, viewport px) — Shanghai is the densest city.
VIEWS = [
    ("country, phone", 4, 35.0, 104.0, (360, 480)),
    ("country, desktop", 5, 35.0, 104.0, (1280, 760)),
    ("province, desktop", 8, 31.2304, 121.4737, (1280, 760)),
    ("city, phone", 11, 31.2304, 121.4737, (360, 480)),
    ("city, desktop", 12, 31.2304, 121.4737, (1280, 760)),
    ("district, phone", 14, 31.2304, 121.4737, (360, 480)),
    ("street, phone", 16, 31.2304, 121.4737, (360, 480)),
    ("street, desktop", 16, 31.2304, 121.4737, (1280, 760)),
]


def bbox(zoom, lat, lng, size):
    """The WGS-84 box a Web Mercator map of `size` pixels shows around (lat, lng)."""
    scale = 256 * 2**zoom
    x = (lng + 180) / 360 * scale
    y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * scale

    def unproject(px, py):
        lon = px / scale * 360 - 180
        lat_rad = math.atan(math.sinh(math.pi * (1 - 2 * py / scale)))
        return math.degrees(lat_rad), lon

    south, west = unproject(x - size[0] / 2, y + size[1] / 2)
    north, east = unproject(x + size[0] / 2, y - size[1] / 2)
    clamp = lambda v, m: max(-m, min(m, v))  # noqa: E731
    return f"{clamp(west, 180):.5f},{clamp(south, 90):.5f},{clamp(east, 180):.5f},{clamp(north, 90):.5f}"


def measure(client, url, **headers):
    times, body = [], b""
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code, body[:200])
    return body, statistics.median(times)


def main():
    setup_django()
    from django.conf import settings
    from django.test import Client

    from stations.models import Station

    settings.ALLOWED_HOSTS = ["*"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    print(f"database: {settings.DATABASES['default']['ENGINE']}, public stations: {Station.objects.public().count()}")
    print(f"{'view':20} {'zoom':>4} {'features':>8} {'clustered':>9} {'bytes':>8} {'gzip':>7} {'median ms':>9}")
    import json

    for label, zoom, lat, lng, size in VIEWS:
        url = f"/api/stations.geojson?zoom={zoom}&bbox={bbox(zoom, lat, lng, size)}"
        body, ms = measure(client, url)
        data = json.loads(body)
        print(f"{label:20} {zoom:>4} {len(data['features']):>8} {str(data['clustered']):>9} "
              f"{len(body):>8} {len(gzip.compress(body)):>7} {ms:>9.1f}")

    for label, url in [
        ("nearby 5 km, 20", "/api/stations/nearby/?lat=31.2304&lng=121.4737&radius=5000&limit=20"),
        ("nearby 50 km, 10", "/api/stations/nearby/?lat=31.2304&lng=121.4737&radius=50000&limit=10"),
        ("nearby 50 km + wifi", "/api/stations/nearby/?lat=31.2304&lng=121.4737&radius=50000&limit=10&amenities=wifi"),
        ("list page 1", "/api/stations/?page_size=20"),
    ]:
        body, ms = measure(client, url)
        print(f"{label:20} {'':>4} {'':>8} {'':>9} {len(body):>8} {len(gzip.compress(body)):>7} {ms:>9.1f}")

    from django.contrib.staticfiles import finders

    from django.test import override_settings

    # The page's own size, not whether `collectstatic` ran on this machine.
    storage = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=storage):
        page, ms = measure(client, "/")
    print(f"\nmap page HTML: {len(page)} bytes ({len(gzip.compress(page))} gzipped), {ms:.1f} ms")
    total, total_gz = len(page), len(gzip.compress(page))
    for path in ("css/site.css", "css/map.css", "js/station-map.js"):
        content = open(finders.find(path), "rb").read()
        total += len(content)
        total_gz += len(gzip.compress(content))
        print(f"{path}: {len(content)} bytes ({len(gzip.compress(content))} gzipped)")
    print(f"page's own HTML+CSS+JS: {total} bytes ({total_gz} gzipped), excluding Leaflet and tiles")


if __name__ == "__main__":
    sys.exit(main())
