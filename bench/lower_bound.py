"""How fast is the nearby search without the ORM and DRF? A bound for the floor-share targets.

    DATABASE_URL=sqlite:///$PWD/bench/out/run.sqlite3 python -m bench.lower_bound

The same search as /api/stations/nearby/ (radius 2 km, limit 20, the
same growing circles, the same (up to 20) stations in the same order, checked
against the API on every point first) done by hand: SQL through Django's
connection with no ORM, the catalogue held in memory, no DRF, no
middleware, no HTTP, no opening-hours text or satisfaction rate, and the
result dumped with json.dumps. What is left is the database's own work for
these queries, the exact distances and the JSON.
Prints the median and p90 time per search next to the framework floor's
own time in-process (bench.inprocess measures both the same way).
"""

import argparse
import heapq
import json
import random
import statistics
import time
from urllib.parse import parse_qs, urlparse

from bench.profile import setup_pages

RADIUS_M, LIMIT = 2000, 20


class HandWrittenNearby:
    def __init__(self):
        from stations.models import Amenity, WorkerGroup

        columns = ("pk", "position", "slug", "name_zh", "icon")
        self.catalogue = {
            1: {pk: rest for pk, *rest in Amenity.objects.values_list(*columns)},
            2: {pk: rest for pk, *rest in WorkerGroup.objects.values_list(*columns)},
        }

    def search(self, lat, lng):
        """(codes nearest first, JSON bytes)."""
        from django.db import connection

        from stations import geo
        from stations.selectors import NEARBY_STEPS_M

        with connection.cursor() as cursor:
            for step in [*(r for r in NEARBY_STEPS_M if r < RADIUS_M), RADIUS_M]:
                min_lat, max_lat, ranges = geo.bounding_box(lat, lng, step)
                hits = []
                for west, east in ranges:
                    cursor.execute(
                        "SELECT id, code, latitude, longitude FROM stations_station WHERE status <> 'delisted' "
                        "AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s",
                        [min_lat, max_lat, west, east],
                    )
                    for pk, code, station_lat, station_lng in cursor.fetchall():
                        distance = geo.haversine_m(lat, lng, round(float(station_lat), 6),
                                                   round(float(station_lng), 6))
                        if distance <= step:
                            hits.append((distance, code, pk))
                if len(hits) >= LIMIT:
                    break
            found = heapq.nsmallest(LIMIT, hits)
            pks = [pk for _distance, _code, pk in found]
            if not pks:
                return [], b"[]"
            marks = ", ".join(["%s"] * len(pks))
            cursor.execute(
                "SELECT s.id, s.code, s.name, s.kind, s.level, s.status, s.address, s.latitude, s.longitude, "
                "s.opening_hours, s.contact_phone, s.manager_name, s.manager_phone, d.code, d.name_zh, c.code, "
                "c.name_zh, r.total, r.last_rated_at "
                "FROM stations_station s JOIN stations_district d ON d.id = s.district_id "
                "JOIN stations_city c ON c.id = d.city_id LEFT JOIN ratings_ratingstats r ON r.station_id = s.id "
                f"WHERE s.id IN ({marks})",
                pks,
            )
            rows = {row[0]: row for row in cursor.fetchall()}
            cursor.execute(
                f"SELECT station_id, amenity_id, 1 FROM stations_station_amenities WHERE station_id IN ({marks}) "
                "UNION ALL SELECT station_id, workergroup_id, 2 FROM stations_station_groups_served "
                f"WHERE station_id IN ({marks})",
                pks + pks,
            )
            links = {}
            for station_pk, entry_pk, kind in cursor.fetchall():
                links.setdefault((station_pk, kind), []).append(self.catalogue[kind][entry_pk])
        cards = []
        for distance, code, pk in found:
            row = rows[pk]
            schedule = row[9] if isinstance(row[9], (dict, list)) else json.loads(row[9])
            cards.append({
                "distance_m": round(distance, 1), "code": code, "name": row[2], "kind": row[3], "level": row[4],
                "status": row[5], "city": {"code": row[15], "name": row[16]},
                "district": {"code": row[13], "name": row[14]}, "address": row[6],
                "latitude": round(float(row[7]), 6), "longitude": round(float(row[8]), 6),
                "hours": {"schedule": schedule},
                "amenities": [{"slug": s, "name": n, "icon": i} for _p, s, n, i in sorted(links.get((pk, 1), []))],
                "groups": [{"slug": s, "name": n, "icon": i} for _p, s, n, i in sorted(links.get((pk, 2), []))],
                "contact_phone": row[10], "manager_name": row[11], "manager_phone": row[12],
                "rating": {"total": row[17] or 0, "last_rated_at": str(row[18]) if row[18] else None},
                "url": f"/stations/{code}/",
            })
        return [code for _distance, code, _pk in found], json.dumps(cards, ensure_ascii=False).encode()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    setup_pages()
    from django.test import Client

    from bench.run import build_workload

    workload = build_workload(random.Random(args.seed), 300)
    search = HandWrittenNearby()
    client = Client()
    floor = []
    for index in range(args.requests):
        started = time.perf_counter()
        client.get("/bench/floor/", HTTP_X_REAL_IP="10.9.9.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
        floor.append((time.perf_counter() - started) * 1000)
    print(f"{'floor (view)':16} median {statistics.median(floor):5.2f} ms")
    for name in ("nearby_dense", "nearby_sparse"):
        points = []
        for index, path in enumerate(workload[name]):
            query = parse_qs(urlparse(path).query)
            point = float(query["lat"][0]), float(query["lng"][0])
            address = f"10.{index % 200}.{index // 200}.9"
            api = client.get(path, HTTP_X_REAL_IP=address, HTTP_X_FORWARDED_FOR=address).json()
            codes, _body = search.search(*point)
            if codes != [card["code"] for card in api]:
                raise SystemExit(f"{name}: the hand-written search disagrees with the API at {path}")
            points.append(point)
        times = []
        for index in range(args.requests):
            started = time.perf_counter()
            search.search(*points[index % len(points)])
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"{name:16} median {statistics.median(times):5.2f} ms   p90 {times[int(0.9 * len(times))]:5.2f} ms"
              f"   (hand-written; the API's stations in its order at all {len(points)} points)")


if __name__ == "__main__":
    main()
