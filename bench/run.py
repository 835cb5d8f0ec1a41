"""Serve the portal with gunicorn, load it with wrk, time the commands, write the results.

    python -m bench.run                         # SQLite: bench/out/national.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yizhan_bench python -m bench.run --port 8191
    python -m bench.run --smoke                 # a fresh small dataset, seconds: CI
    python -m bench.report                      # rebuild docs/BENCHMARKS.md from the results

The database must hold a dataset from bench.generate (--smoke makes its own).
Every figure printed is measured in this run; nothing is estimated. Results
go to bench/out/results-<database>.json; bench.report turns them into tables.

The HTTP scenarios run against one gunicorn (production settings: DEBUG off,
SECRET_KEY set, static files collected and served by WhiteNoise) with
`--workers` sync workers. wrk runs on the same machine over loopback, so it
competes for the same cores: the floor (a view that touches no database)
is measured in the same run and every figure is also given as its ratio.
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.generate import REPO, setup_django

OUT = REPO / "bench" / "out"
LUA = REPO / "bench" / "lua"
WRK = "wrk"

# Viewport of a phone-sized map: what the map page asks for at each zoom.
VIEW_PX = (400, 800)


def wrk_available():
    return shutil.which(WRK) is not None


def ensure_wrk():
    """Install Debian's wrk when it is missing (root with apt only); True if usable."""
    if wrk_available():
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's wrk package")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        if not wrk_available():
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    return wrk_available()


# --- What to request ------------------------------------------------------------


def bbox_for(lat, lng, zoom, px=VIEW_PX):
    """The (min_lng, min_lat, max_lng, max_lat) a px-sized map shows at this zoom."""
    import math

    lng_span = px[0] * 360.0 / (256 * 2**zoom)
    lat_span = px[1] * 360.0 / (256 * 2**zoom) * math.cos(math.radians(lat))
    return (round(lng - lng_span / 2, 5), round(lat - lat_span / 2, 5),
            round(lng + lng_span / 2, 5), round(lat + lat_span / 2, 5))


def build_workload(rng, count=2000):
    """Paths for each scenario, drawn from the data (public stations only)."""
    import math

    from bench.cities import CITIES
    from stations.models import Station

    def around(lat, lng, near_km, far_km):
        angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(near_km, far_km)
        return (lat + radius * math.sin(angle) / 111.32,
                lng + radius * math.cos(angle) / (111.32 * math.cos(math.radians(lat))))

    weights = [c[6] for c in CITIES]
    dense, sparse = [], []
    for _ in range(count):
        city = rng.choices(CITIES, weights=weights)[0]
        dense.append(around(city[4], city[5], 0, 3))  # the city core
        sparse.append(around(city[4], city[5], 25, 50))  # the outskirts
    nearby = "/api/stations/nearby/?lat={:.5f}&lng={:.5f}&radius=2000&limit=20"

    public = Station.objects.public()
    codes = list(public.values_list("code", flat=True))
    tokens = list(Station.objects.filter(status="active").values_list("rating_token", flat=True))
    rng.shuffle(codes)
    rng.shuffle(tokens)

    def geojson(lat, lng, zoom):
        return "/api/stations.geojson?bbox={},{},{},{}&zoom={}".format(*bbox_for(lat, lng, zoom), zoom)

    country = [geojson(35.0 + rng.uniform(-1.5, 1.5), 105.0 + rng.uniform(-3, 3), 4) for _ in range(50)]
    city_view = []
    for _ in range(count):
        city = rng.choices(CITIES, weights=weights)[0]
        lat, lng = around(city[4], city[5], 0, 8)
        city_view.append(geojson(lat, lng, 12))
    street = [geojson(lat, lng, 16) for lat, lng in dense]
    return {
        "nearby_dense": [nearby.format(lat, lng) for lat, lng in dense],
        "nearby_sparse": [nearby.format(lat, lng) for lat, lng in sparse],
        "map_country": country,
        "map_city": city_view,
        "map_street": street,
        "station_page": [f"/stations/{code}/" for code in codes[:count]],
        "rate_get": [f"/r/{token}/" for token in tokens[:count]],
        "rate_tokens": tokens[:count],
    }


def city_staff(city_code):
    """A city-union staff user scoped to one city, logged in: (user, session cookie value)."""
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from oversight import roles
    from oversight.models import StaffScope
    from stations.models import City

    city = City.objects.get(code=city_code)
    user, _ = User.objects.get_or_create(username=f"bench-staff-{city_code}", defaults={"is_staff": True})
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=roles.CITY_STAFF))
    StaffScope.objects.update_or_create(user=user, defaults={"city": city})
    client = Client()
    client.force_login(user)
    return user, client.cookies["sessionid"].value


def admin_paths(user, rng, count=200):
    """The station changelist, and the same filtered by each district the filter offers."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    url = "/admin/stations/station/"
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code} for the city-staff user")
    html = response.content.decode()
    queries = sorted(set(re.findall(r'href="\?([^"#]*district[^"#]*=\d+[^"#]*)"', html)))
    queries = [q.replace("&amp;", "&") for q in queries if "city" not in q.split("=")[0]]
    if not queries:
        raise SystemExit("No district filter links found on the admin station list")
    return [url], [f"{url}?{rng.choice(queries)}" for _ in range(count)]


# --- The server -------------------------------------------------------------------


def server_env(database_url, static_root):
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: no redirect to HTTPS, cookies without Secure.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "BENCH_STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        # No mail server here: each message is built and serialised as for
        # SMTP, then dropped (bench/mail.py).
        "EMAIL_BACKEND": "bench.mail.SerialisingBackend",
        "PYTHONPATH": str(REPO),
    })
    return env


class Gunicorn:
    def __init__(self, *, env, port, workers, log_path):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        command = [
            str(Path(sys.executable).with_name("gunicorn")), "portal.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
            "--timeout", "120", "--log-level", "warning", "--error-logfile", str(log_path),
            "--chdir", str(REPO),
        ]
        self.process = subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/bench/floor/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start; see {log_path}")
            time.sleep(0.3)

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def worker_memory(self):
        """Resident memory of each worker now and at its peak (kB, from /proc)."""
        result = []
        for pid in self.worker_pids():
            fields = {}
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in {"VmRSS", "VmHWM"}:
                    fields[key] = int(value.split()[0])
            result.append({"pid": pid, "rss_kb": fields.get("VmRSS"), "peak_kb": fields.get("VmHWM")})
        return result

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# --- wrk ----------------------------------------------------------------------------


def run_wrk(base, script, args, *, duration, connections, threads, warmup, workers, before_measure=None):
    def once(seconds):
        command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                   "-s", str(LUA / script), base, "--", *args]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next(line for line in output.splitlines() if line.startswith("BENCH-JSON "))
        return json.loads(line[len("BENCH-JSON "):])

    warm = None
    if warmup:
        warm = once(warmup)
        # wrk leaves up to `connections` requests queued at the server when it
        # stops; let the workers finish them so they do not slow the measured run.
        queued_rounds = -(-connections // workers)
        time.sleep(min(60.0, 0.5 + warm["latency_us"]["p99"] / 1e6 * queued_rounds))
    if before_measure:
        before_measure()
    result = once(duration)
    seconds = result["duration_us"] / 1e6
    result["rps"] = result["requests"] / seconds
    ok = sum(n for status, n in result["statuses"].items() if int(status) < 400)
    result["non_2xx_3xx"] = result["responses"] - ok
    result["mean_body_bytes"] = result["body_bytes"] / max(result["responses"], 1)
    result["connections"] = connections
    if warm is not None:
        result["warmup"] = {key: warm[key] for key in ("requests", "statuses", "errors")}
    result["command"] = (
        f"wrk -t{threads} -c{connections} -d{duration}s --timeout 10s -s bench/lua/{script} {base} -- "
        + " ".join(Path(a).name if a.startswith("/") else a for a in args)
    )
    return result


def payload_sizes(base, paths, sample=40):
    """Body sizes of a sample of responses (bytes, as served: no compression middleware)."""
    sizes = []
    for path in paths[:sample]:
        request = urllib.request.Request(base + path, headers={"X-Real-IP": "10.9.9.9", "X-Forwarded-For": "10.9.9.9"})
        with urllib.request.urlopen(request, timeout=30) as response:
            sizes.append(len(response.read()))
    sizes.sort()
    return {"min": sizes[0], "median": sizes[len(sizes) // 2], "max": sizes[-1], "sample": len(sizes)}


# --- In-process measurements --------------------------------------------------------


def rating_totals():
    """Counts that must move together, read in one statement (one snapshot)."""
    from django.db import connection

    from ratings.models import Rating, RatingStats, StationDay

    rating, stats, day = (m._meta.db_table for m in (Rating, RatingStats, StationDay))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {rating}), (SELECT COUNT(*) FROM {rating} WHERE NOT hidden), "
            f"(SELECT COALESCE(SUM(total), 0) FROM {stats}), (SELECT COALESCE(SUM(ratings), 0) FROM {day}), "
            f"(SELECT COALESCE(SUM(scans), 0) FROM {day})"
        )
        row = cursor.fetchone()
    return dict(zip(("ratings", "visible", "stats_total", "day_ratings", "day_scans"), map(int, row)))


def settled_rating_totals():
    """rating_totals() once the server has finished the requests wrk left in flight."""
    previous = rating_totals()
    for _ in range(30):
        time.sleep(2)
        current = rating_totals()
        if current == previous:
            return current
        previous = current
    return previous


def server_time(user, paths, repeat):
    """Server time of admin pages in-process (full middleware, no network): ms per request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    timings, queries = [], []
    for i in range(repeat):
        path = paths[i % len(paths)]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        queries.append(len(captured.captured_queries))
    timings.sort()
    return {
        "requests": repeat, "median_ms": timings[len(timings) // 2],
        "p95_ms": timings[min(len(timings) - 1, int(len(timings) * 0.95))], "max_ms": timings[-1],
        "queries": max(queries),
    }


def query_plans(user, workload):
    """EXPLAIN the queries behind nearby, map and admin pages (station tables only)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_X_REAL_IP="10.8.8.8", HTTP_X_FORWARDED_FOR="10.8.8.8")
    staff = Client()
    staff.force_login(user)
    pages = [
        ("nearby (dense point)", client, workload["nearby_dense"][0]),
        ("map, country zoom", client, workload["map_country"][0]),
        ("map, city zoom", client, workload["map_city"][0]),
        ("map, street zoom", client, workload["map_street"][0]),
        ("admin station list", staff, workload["admin_list"][0]),
        ("admin list by district", staff, workload["admin_district"][0]),
    ]
    plans = []
    for label, browser, path in pages:
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        for query in captured.captured_queries:
            # .iterator() on PostgreSQL reads through a server-side cursor.
            sql = re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR (?:WITH|WITHOUT) HOLD FOR ', "", query["sql"])
            if not sql.lstrip().upper().startswith("SELECT") or "stations_station" not in sql:
                continue
            if connection.vendor == "postgresql":
                explain = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "
            else:
                explain = "EXPLAIN QUERY PLAN "
            with connection.cursor() as cursor:
                cursor.execute(explain + sql)
                rows = cursor.fetchall()
            if connection.vendor == "postgresql":
                plan = "\n".join(row[0] for row in rows)
            else:
                plan = "\n".join(f"{'  ' * _depth(rows, row)}{row[-1]}" for row in rows)
            plans.append({"page": label, "path": path, "sql": sql, "plan": plan})
    return plans


def _depth(rows, row):
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth, parent = depth + 1, parents[parent]
    return depth


def timed_command(env, *args, stdin=None, timeout=None):
    """Run `manage.py <args>` in a fresh process: wall-clock seconds, CPU
    seconds, peak resident memory (bench/peak.py) and exit code; stopped
    after `timeout` seconds."""
    import threading

    started = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output, \
            tempfile.NamedTemporaryFile(mode="r", encoding="ascii", suffix=".peak") as peak:
        process = subprocess.Popen([sys.executable, "-m", "bench.peak", *args],
                                   env={**env, "BENCH_PEAK_FILE": peak.name}, cwd=REPO, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=stdin, text=True)
        timer = threading.Timer(timeout, process.terminate) if timeout else None
        if timer:
            timer.start()
        _pid, status, usage = os.wait4(process.pid, 0)  # this child's own CPU time
        if timer:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        output.seek(0)
        tail = output.read().strip().splitlines()[-6:]
        peak_kb = peak.read().strip()
    return {"command": "python manage.py " + " ".join(args), "seconds": seconds,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "max_rss_mb": int(peak_kb) / 1024 if peak_kb.isdigit() else None,
            "exit_code": process.returncode, "output_tail": tail}


def empty_registry_url(connection):
    """A second bench database for the import: bench/out/import.sqlite3 or yizhan_bench_import."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{OUT / 'import.sqlite3'}"
    settings = connection.settings_dict
    host = settings.get("HOST") or "127.0.0.1"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{settings.get('PORT') or 5432}/{settings['NAME']}_import"


def command_exists(name):
    from django.core.management import get_commands

    return name in get_commands()


# --- The run ------------------------------------------------------------------------------


def machine():
    import django
    import sqlite3

    from django.db import connection

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    info = {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(), "python": platform.python_version(), "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version, "database": connection.vendor,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
            for name in ("shared_buffers", "work_mem", "effective_cache_size"):
                cursor.execute(f"SHOW {name}")
                info[f"pg_{name}"] = cursor.fetchone()[0]
    try:
        import gunicorn

        info["gunicorn"] = gunicorn.__version__
    except ImportError:
        pass
    if wrk_available():
        info["wrk"] = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.split("[")[0].strip()
    return info


def code_version():
    """The commit measured: BENCH_COMMIT (for an exported snapshot) or the checkout's HEAD."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    return (result.stdout.strip() + (" (with uncommitted changes)" if dirty else "")) or "unknown"


def dataset_counts():
    from ratings.models import Rating, RatingStats, StationDay
    from stations.models import Station

    return {"stations": Station.objects.count(), "ratings": Rating.objects.count(),
            "rating_stats": RatingStats.objects.count(), "station_days": StationDay.objects.count()}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark the portal; see bench/run.py's docstring.")
    parser.add_argument("--smoke", action="store_true", help="Generate a small fresh dataset and run briefly.")
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4: 2 per core here)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=15, help="seconds per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unrecorded load before each scenario")
    parser.add_argument("--skip-http", action="store_true", help="Only the in-process and command timings.")
    parser.add_argument("--skip-commands", action="store_true", help="Skip the management command timings.")
    parser.add_argument("--only", default="", help="Comma-separated scenario names to run (default: all).")
    parser.add_argument("--commands", default="", help="Comma-separated commands to time (default: all): "
                        "apply_rating_rule, rebuild_rating_stats, daily_report, import_stations.")
    parser.add_argument("--city", default="shanghai", help="City of the staff user for the admin scenarios.")
    parser.add_argument("--out", type=Path, default=None, help="Result file (default bench/out/results-<db>.json)")
    args = parser.parse_args(argv)

    default_db = OUT / ("smoke.sqlite3" if args.smoke else "national.sqlite3")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_db}"
    if args.smoke and database_url.startswith("postgres") and "smoke" not in database_url:
        raise SystemExit("--smoke recreates its database: point DATABASE_URL at yizhan_bench_smoke.")
    os.environ["DATABASE_URL"] = database_url
    # One key for the server and this process: the staff session made here must work there.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    static_root = Path(tempfile.mkdtemp(prefix="yizhan-bench-static-"))
    os.environ["BENCH_STATIC_ROOT"] = str(static_root)
    try:
        return measure(args, database_url, static_root)
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


def measure(args, database_url, static_root):
    setup_django()
    from django.db import connection

    from bench import generate

    if args.smoke:
        args.duration, args.warmup = min(args.duration, 2), 0
        args.workers = min(args.workers, 2)
        print("smoke: generating a small dataset")
        generate.generate(stations=2_000, ratings=50_000, seed=1, fresh=True, progress=lambda *_: None)

    env = server_env(database_url, static_root)
    # The manifest of hashed static names is needed by every page, in-process too.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=REPO, check=True)
    rng = random.Random(42)
    results = {"commit": code_version(), "machine": machine(), "dataset": dataset_counts(), "settings": {
        "workers": args.workers, "worker_class": "sync", "connections": args.connections,
        "wrk_threads": args.threads, "duration_s": args.duration, "warmup_s": args.warmup,
        "database_url": database_url.split("@")[-1], "smoke": args.smoke,
    }, "http": {}, "server_time": {}, "commands": {}, "memory": None, "plans": []}
    print(json.dumps(results["machine"]), json.dumps(results["dataset"]))
    if not results["dataset"]["stations"]:
        raise SystemExit("No stations: run bench.generate first (or pass --smoke).")

    workload = build_workload(rng, count=200 if args.smoke else 2000)
    user, session = city_staff(args.city if not args.smoke else "shanghai")
    workload["admin_list"], workload["admin_district"] = admin_paths(user, rng)
    results["plans"] = query_plans(user, workload)
    results["server_time"] = {
        "admin_list": server_time(user, workload["admin_list"], 5 if args.smoke else 30),
        "admin_district": server_time(user, workload["admin_district"], 5 if args.smoke else 30),
    }
    print("admin server time:", json.dumps(results["server_time"]))

    only = {name for name in args.only.split(",") if name}
    if not args.skip_http:
        if not ensure_wrk():
            print("wrk is not installed and could not be installed: skipping the HTTP scenarios")
            results["http_skipped"] = "wrk missing"
        else:
            run_http(args, env, workload, session, results, only)
    if not args.skip_commands:
        run_commands(args, env, results, connection)

    out = args.out or OUT / f"results-{'smoke-' if args.smoke else ''}{connection.vendor}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    # A partial run (--skip-http / --skip-commands / --only) updates the parts it measured.
    if out.exists() and (args.skip_http or args.skip_commands or only or args.commands):
        previous = json.loads(out.read_text())
        if args.skip_http:
            results["http"], results["memory"] = previous.get("http", {}), previous.get("memory")
        elif only:
            results["http"] = {**previous.get("http", {}), **results["http"]}
        if args.skip_commands:
            results["commands"] = previous.get("commands", {})
        elif args.commands:
            results["commands"] = {**previous.get("commands", {}), **results["commands"]}
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"results written to {out}")
    return results


def run_http(args, env, workload, session, results, only):
    from django.db import connection

    lists = Path(tempfile.mkdtemp(prefix="yizhan-bench-paths-"))
    for name, lines in workload.items():
        (lists / f"{name}.txt").write_text("\n".join(lines) + "\n")
    (lists / "floor.txt").write_text("/bench/floor/\n")
    log = OUT / "logs" / f"gunicorn-{connection.vendor}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = Gunicorn(env=env, port=args.port, workers=args.workers, log_path=log)
    try:
        def scenario(name, script, *script_args, before_measure=None, connections=None):
            if only and name not in only:
                return None
            load = os.getloadavg()[0]
            result = run_wrk(server.base, script, [str(a) for a in script_args], duration=args.duration,
                             connections=connections or args.connections, threads=args.threads, warmup=args.warmup,
                             workers=args.workers, before_measure=before_measure)
            result["load_before"] = load
            results["http"][name] = result
            print(f"{name:>16}: {result['rps']:8.1f} req/s  p50 {result['latency_us']['p50'] / 1000:7.1f} ms  "
                  f"p99 {result['latency_us']['p99'] / 1000:7.1f} ms  non-2xx/3xx {result['non_2xx_3xx']}  "
                  f"errors {result['errors']}")
            return result

        scenario("floor", "get.lua", lists / "floor.txt")
        for name in ("nearby_dense", "nearby_sparse", "map_country", "map_city", "map_street", "station_page"):
            result = scenario(name, "get.lua", lists / f"{name}.txt")
            if result is not None and name.startswith("map"):
                result["payload"] = payload_sizes(server.base, workload[name])
        cookie = f"sessionid={session}"
        # A handful of staff, not a crowd: one connection per worker, so the
        # latency is the page's own and not time spent queueing for a worker.
        scenario("admin_list", "get.lua", lists / "admin_list.txt", cookie, connections=args.workers)
        scenario("admin_district", "get.lua", lists / "admin_district.txt", cookie, connections=args.workers)
        scenario("rate_get", "get.lua", lists / "rate_get.txt")
        before = {}
        result = scenario("rate_post", "rate.lua", lists / "rate_tokens.txt", server.base,
                          before_measure=lambda: before.update(settled_rating_totals()))
        if result is not None:
            after = settled_rating_totals()
            accepted = result["statuses"].get("303", 0)
            delta = {key: after[key] - before[key] for key in after}
            result["db_check"] = {
                "accepted_303": accepted, "responses": result["responses"], "db_delta": delta,
                # wrk stops with up to one request per connection in flight, which
                # the server may still store: at most `connections` more than seen.
                "every_rating_counted": delta["visible"] == delta["stats_total"] == delta["day_ratings"]
                and accepted <= delta["ratings"] <= accepted + args.connections,
            }
            print("   rating check:", json.dumps(result["db_check"]))
        # The machine's load can change during a run: the floor again at the end.
        scenario("floor_end", "get.lua", lists / "floor.txt")
        results["memory"] = server.worker_memory()
        print("worker memory:", json.dumps(results["memory"]))
    finally:
        server.stop()
        shutil.rmtree(lists, ignore_errors=True)


def run_commands(args, env, results, connection):
    from ratings.models import RatingStats
    from stations.models import Station

    import datetime

    from django.utils import timezone

    commands = results["commands"]
    chosen = {name for name in args.commands.split(",") if name}
    as_of = timezone.localdate().isoformat()

    def wanted(name):
        return (not chosen or name in chosen) and command_exists(name)

    if wanted("apply_rating_rule"):
        commands["apply_rating_rule --dry-run"] = timed_command(env, "apply_rating_rule", "--as-of", as_of, "--dry-run")
        commands["apply_rating_rule"] = timed_command(env, "apply_rating_rule", "--as-of", as_of)
        commands["apply_rating_rule (again, idempotent)"] = timed_command(env, "apply_rating_rule", "--as-of", as_of)
    elif not command_exists("apply_rating_rule"):
        commands["apply_rating_rule"] = {"missing": True}

    if wanted("rebuild_rating_stats"):
        before = rating_totals()
        stats_before = sorted(RatingStats.objects.values_list("station_id", "total", "count_5", "last_rated_at"))
        commands["rebuild_rating_stats"] = timed_command(env, "rebuild_rating_stats")
        stats_after = sorted(
            (s, t, c, last) for s, t, c, last in
            RatingStats.objects.values_list("station_id", "total", "count_5", "last_rated_at") if t
        )
        stats_before = [row for row in stats_before if row[1]]
        commands["rebuild_rating_stats"]["agrees_with_generated"] = stats_before == stats_after
        commands["rebuild_rating_stats"]["totals_before"] = before
        commands["rebuild_rating_stats"]["totals_after"] = rating_totals()
    elif not command_exists("rebuild_rating_stats"):
        commands["rebuild_rating_stats"] = {"missing": True}

    if wanted("daily_report"):
        yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        commands["daily_report --city"] = timed_command(
            env, "daily_report", "--date", yesterday, "--stdout", "--city", args.city, stdin=subprocess.DEVNULL)
        # The whole country in one run, stopped after 20 minutes if need be.
        commands["daily_report"] = timed_command(
            env, "daily_report", "--date", yesterday, "--stdout", stdin=subprocess.DEVNULL, timeout=20 * 60)
    elif not command_exists("daily_report"):
        commands["daily_report"] = {"missing": True}

    if wanted("import_stations") and command_exists("export_stations"):
        OUT.mkdir(parents=True, exist_ok=True)
        export = OUT / f"stations-export-{connection.vendor}.csv"
        commands["export_stations"] = timed_command(env, "export_stations", str(export))
        # Into an empty registry (the same cities and districts, no stations): every row a new station.
        target = empty_registry_url(connection)
        subprocess.run([sys.executable, "-m", "bench.generate", "--fresh", "--stations", "0", "--ratings", "0"],
                       env={**env, "DATABASE_URL": target}, cwd=REPO, check=True, capture_output=True)
        commands["import_stations (empty registry)"] = timed_command(
            {**env, "DATABASE_URL": target}, "import_stations", str(export))
        commands["import_stations (empty registry)"]["rows"] = Station.objects.count()
        # The same file again into the database it came from: every row checked, nothing to change.
        commands["import_stations (re-import, unchanged)"] = timed_command(env, "import_stations", str(export))
    elif not command_exists("import_stations"):
        commands["import_stations"] = {"missing": True}
    for name, result in commands.items():
        print(f"{name:>40}: {json.dumps(result, default=str)[:300]}")


if __name__ == "__main__":
    main()
