"""Turn bench/out/results-*.json into the tables of docs/BENCHMARKS.md.

    python -m bench.report [results.json ...]

Only the part between the `results` markers is rewritten; the prose around
it (method, analysis, what was changed) is kept as written.
"""

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- results:begin (written by python -m bench.report) -->", "<!-- results:end -->"

SCENARIOS = [
    ("floor", "Framework floor: `/bench/floor/` (no database), first", None),
    ("nearby_dense", "Nearby, dense areas: 2 km, limit 20", ("rps", 0.5)),
    ("nearby_sparse", "Nearby, sparse outskirts: 2 km, limit 20", ("rps", 0.5)),
    ("map_country", "Map data, country zoom (4)", None),
    ("map_city", "Map data, city zoom (12)", ("rps", 0.3)),
    ("map_street", "Map data, street zoom (16)", None),
    ("station_page", "Station page `/stations/<code>/`", ("rps", 0.4)),
    ("rate_get", "Rating page GET `/r/<token>/` (counts a scan)", None),
    ("rate_post", "Rating POST (new device each, valid CSRF)", ("rps", 0.3)),
    ("admin_list", "Admin station list, first page (city staff)", None),
    ("admin_district", "Admin station list filtered by district", None),
    ("floor_end", "Framework floor again, last", None),
]


def floor_rps(http):
    """The floor's throughput: the mean of the runs before and after the scenarios."""
    values = [http[key]["rps"] for key in ("floor", "floor_end") if key in http]
    return sum(values) / len(values) if values else None


def ms(us):
    return f"{us / 1000:.1f}"


def http_table(result):
    http = result.get("http") or {}
    floor = floor_rps(http)
    lines = [
        "| Scenario | conns | req/s | × floor | p50 ms | p95 ms | p99 ms | mean body | non-2xx/3xx | socket errors | load avg before | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, label, target in SCENARIOS:
        r = http.get(key)
        if not r:
            lines.append(f"| {label} | | not run | | | | | | | | | |")
            continue
        ratio = r["rps"] / floor if floor else None
        verdict = ""
        if target and ratio is not None:
            verdict = f"≥ {target[1]:.0%} of floor: {'met' if ratio >= target[1] else '**missed**'}"
        if key.startswith("nearby"):
            p99_ok = r["latency_us"]["p99"] < 50_000
            verdict += f"; p99 < 50 ms: {'met' if p99_ok else '**missed**'}"
        if key == "rate_post" and "db_check" in r:
            check = r["db_check"]
            verdict += (f"; errors 0: {'met' if r['non_2xx_3xx'] == 0 and not sum(r['errors'].values()) else '**missed**'}"
                        f"; every rating counted: {'met' if check['every_rating_counted'] else '**missed**'}")
        errors = sum(r["errors"].values())
        lines.append(
            f"| {label} | {r.get('connections', result['settings']['connections'])} | {r['rps']:.1f} | {ratio:.2f} | {ms(r['latency_us']['p50'])} | {ms(r['latency_us']['p95'])} | "
            f"{ms(r['latency_us']['p99'])} | {r['mean_body_bytes'] / 1024:.1f} KB | {r['non_2xx_3xx']} | {errors} | "
            f"{r.get('load_before', 0):.1f} | {verdict} |"
        )
    return "\n".join(lines)


def payload_table(result):
    http = result.get("http") or {}
    lines = ["| Zoom | min | median | max | sample | target |", "|---|---:|---:|---:|---:|---|"]
    for key, label in (("map_country", "country (4)"), ("map_city", "city (12)"), ("map_street", "street (16)")):
        p = (http.get(key) or {}).get("payload")
        if not p:
            continue
        target = ""
        if key == "map_country":
            target = f"< 50 KB: {'met' if p['max'] < 50 * 1024 else '**missed**'}"
        lines.append(f"| {label} | {p['min'] / 1024:.1f} KB | {p['median'] / 1024:.1f} KB | {p['max'] / 1024:.1f} KB | "
                     f"{p['sample']} | {target} |")
    return "\n".join(lines)


def server_time_table(result):
    lines = ["| Page | requests | median ms | p95 ms | max ms | queries | target |", "|---|---:|---:|---:|---:|---:|---|"]
    for key, label in (("admin_list", "Admin station list, first page"), ("admin_district", "… filtered by district")):
        t = (result.get("server_time") or {}).get(key)
        if not t:
            continue
        verdict = f"< 300 ms (median): {'met' if t['median_ms'] < 300 else '**missed**'}"
        lines.append(f"| {label} | {t['requests']} | {t['median_ms']:.0f} | {t['p95_ms']:.0f} | {t['max_ms']:.0f} | "
                     f"{t['queries']} | {verdict} |")
    return "\n".join(lines)


def commands_table(result):
    vendor = result["machine"]["database"]
    lines = ["| Command | seconds | CPU s | peak MB | exit | output (last line) | target |",
             "|---|---:|---:|---:|---:|---|---|"]
    for name, c in (result.get("commands") or {}).items():
        if c.get("missing"):
            lines.append(f"| `{name}` | not available in this build | | | | | |")
            continue
        target = ""
        if name == "apply_rating_rule" and vendor == "sqlite":
            target = f"< 10 s on SQLite: {'met' if c['seconds'] < 10 and c['exit_code'] == 0 else '**missed**'}"
        if name.startswith("import_stations"):
            target = f"< 60 s: {'met' if c['seconds'] < 60 and c['exit_code'] == 0 else '**missed**'}"
        if name == "rebuild_rating_stats" and "agrees_with_generated" in c:
            target = "agrees with the generated stats: " + ("yes" if c["agrees_with_generated"] else "**no**")
        command = re.sub(r"/\S*/bench/out/", "bench/out/", c["command"])
        label = f"{name}<br>`{command}`" if name.split(" ")[0] != name or "(" in name else f"`{command}`"
        if c.get("note"):
            lines.append(f"| {label} | — | — | — | — | {c['note']} | {target} |")
            continue
        last = re.sub(r"/\S*/bench/out/", "bench/out/", (c.get("output_tail") or [""])[-1]).replace("|", "\\|")[:120]
        if c["exit_code"] in (-15, -9):
            last, target = f"did not finish: stopped after {c['seconds'] / 60:.0f} min", ""
        cpu = f"{c['cpu_seconds']:.1f}" if "cpu_seconds" in c else "—"
        peak = f"{c['max_rss_mb']:.0f}" if c.get("max_rss_mb") else "—"
        lines.append(f"| {label} | {c['seconds']:.1f} | {cpu} | {peak} | {c['exit_code']} | {last} | {target} |")
    return "\n".join(lines)


def memory_line(result):
    memory = result.get("memory")
    if not memory:
        return "Worker memory: not measured."
    peak = max(m["peak_kb"] for m in memory) / 1024
    now = max(m["rss_kb"] for m in memory) / 1024
    return (f"Gunicorn workers after the load: largest resident set {now:.0f} MB, largest peak (VmHWM) {peak:.0f} MB "
            f"across {len(memory)} workers; target < 150 MB: {'met' if peak < 150 else '**missed**'}.")


def section(result):
    m, s, d = result["machine"], result["settings"], result["dataset"]
    db = f"PostgreSQL {m['postgresql']}" if m["database"] == "postgresql" else f"SQLite {m['sqlite']}"
    out = [
        f"### {db}",
        "",
        f"Code measured: commit `{result.get('commit', 'unknown')}`.",
        "",
        f"Dataset: {d['stations']:,} stations, {d['ratings']:,} ratings, {d['rating_stats']:,} stats rows, "
        f"{d['station_days']:,} station-days. gunicorn {m.get('gunicorn', '?')} with {s['workers']} {s['worker_class']} "
        f"workers; {m.get('wrk', 'wrk')} with {s['wrk_threads']} threads and {s['connections']} connections, "
        f"{s['warmup_s']} s warm-up then {s['duration_s']} s measured per scenario.",
        "",
        http_table(result),
        "",
        "Map payloads (response bodies, uncompressed):",
        "",
        payload_table(result),
        "",
        "Admin server time, in-process (Django test client, full middleware stack, no network):",
        "",
        server_time_table(result),
        "",
        "Single-process timings (a fresh `manage.py` process each, wall clock, including Django start-up):",
        "",
        commands_table(result),
        "",
        memory_line(result),
        "",
    ]
    check = (result.get("http") or {}).get("rate_post", {}).get("db_check")
    if check:
        statuses = ", ".join(f"{n} × {code}" for code, n in sorted(result["http"]["rate_post"]["statuses"].items()))
        out += [f"Rating POST check: responses {statuses} (303 = stored; 200 = the friendly cooldown page); "
                f"{check['accepted_303']} stored according to wrk; the database gained "
                f"{check['db_delta']['ratings']} ratings, RatingStats totals {check['db_delta']['stats_total']}, "
                f"StationDay ratings {check['db_delta']['day_ratings']} (wrk stops with up to one request per "
                "connection in flight, which the server still completes).", ""]
    return "\n".join(out)


def plans_section(result):
    m = result["machine"]
    db = "PostgreSQL (EXPLAIN ANALYZE)" if m["database"] == "postgresql" else "SQLite (EXPLAIN QUERY PLAN)"
    out = [f"### Query plans: {db}", ""]
    for p in result.get("plans", []):
        # The admin pages run a dozen small lookups (filters, scope); show the list and its count.
        if p["page"].startswith("admin") and "LIMIT" not in p["sql"] and "COUNT(" not in p["sql"][:60]:
            continue
        out += [f"**{p['page']}** — `{p['path']}`", "", "```sql", p["sql"][:1500] + (" …" if len(p["sql"]) > 1500 else ""),
                "```", "", "```", p["plan"], "```", ""]
    return "\n".join(out)


def machine_section(results):
    m = results[0]["machine"]
    versions = [f"Python {m['python']}", f"Django {m['django']}", f"SQLite {m['sqlite']}"]
    for r in results:
        if r["machine"].get("postgresql"):
            settings = ", ".join(f"{k[3:]} {v}" for k, v in r["machine"].items() if k.startswith("pg_"))
            versions.append(f"PostgreSQL {r['machine']['postgresql']}" + (f" ({settings})" if settings else ""))
    return (f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB memory, Linux {m['kernel']}; "
            + ", ".join(versions) + f"; gunicorn {m.get('gunicorn', '?')}; {m.get('wrk', 'wrk')}.")


def _targets(result):
    """(target, measured text, met?) for one database's results; None where not measured."""
    http, rows = result.get("http") or {}, []
    floor = floor_rps(http)

    def share(key, minimum, label):
        r = http.get(key)
        if r and floor:
            ratio = r["rps"] / floor
            rows.append((label, f"{ratio:.0%} ({r['rps']:.1f} of {floor:.1f} req/s)", ratio >= minimum))
        else:
            rows.append((label, None, None))

    share("nearby_dense", 0.5, "Nearby (dense) ≥ 50 % of floor throughput")
    share("nearby_sparse", 0.5, "Nearby (sparse) ≥ 50 % of floor throughput")
    for key, label in (("nearby_dense", "Nearby (dense) p99 < 50 ms at 16 connections"),
                       ("nearby_sparse", "Nearby (sparse) p99 < 50 ms at 16 connections")):
        r = http.get(key)
        rows.append((label, f"{r['latency_us']['p99'] / 1000:.0f} ms", r["latency_us"]["p99"] < 50_000) if r else (label, None, None))
    payload = (http.get("map_country") or {}).get("payload")
    rows.append(("Map, country zoom: < 50 KB per response",
                 f"max {payload['max'] / 1024:.1f} KB" if payload else None, payload["max"] < 50 * 1024 if payload else None))
    share("map_city", 0.3, "Map, city zoom ≥ 30 % of floor")
    share("station_page", 0.4, "Station page ≥ 40 % of floor")
    share("rate_post", 0.3, "Rating POST ≥ 30 % of floor")
    r = http.get("rate_post")
    if r and "db_check" in r:
        clean = r["non_2xx_3xx"] == 0 and not sum(r["errors"].values())
        rows.append(("Rating POST: zero errors, every rating counted",
                     f"{r['non_2xx_3xx']} non-2xx/3xx, {sum(r['errors'].values())} socket errors; counts agree: "
                     f"{'yes' if r['db_check']['every_rating_counted'] else 'no'}",
                     clean and r["db_check"]["every_rating_counted"]))
    c = (result.get("commands") or {}).get("apply_rating_rule")
    if result["machine"]["database"] == "sqlite":
        rows.append(("apply_rating_rule at 200,000 stations < 10 s (SQLite)",
                     f"{c['seconds']:.1f} s" if c and "seconds" in c else None,
                     (c["seconds"] < 10 and c["exit_code"] == 0) if c and "seconds" in c else None))
    t = (result.get("server_time") or {}).get("admin_list")
    rows.append(("Admin station list < 300 ms server time at 10 M ratings",
                 f"median {t['median_ms']:.0f} ms, p95 {t['p95_ms']:.0f} ms" if t else None,
                 t["median_ms"] < 300 if t else None))
    c = (result.get("commands") or {}).get("import_stations (empty registry)")
    rows.append(("import_stations of 200,000 rows < 60 s",
                 f"{c['seconds']:.1f} s" if c and "seconds" in c else None,
                 (c["seconds"] < 60 and c["exit_code"] == 0) if c and "seconds" in c else None))
    memory = result.get("memory")
    peak = max(m["peak_kb"] for m in memory) / 1024 if memory else None
    rows.append(("Gunicorn worker < 150 MB resident after the load",
                 f"{peak:.0f} MB peak" if peak else None, peak < 150 if peak else None))
    return rows


def targets_table(results):
    names = ["SQLite" if r["machine"]["database"] == "sqlite" else "PostgreSQL" for r in results]
    columns = [dict((label, (text, ok)) for label, text, ok in _targets(r)) for r in results]
    labels = list(dict.fromkeys(label for r in results for label, _, _ in _targets(r)))
    lines = ["| Target (issue #7) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label in labels:
        cells = []
        for column in columns:
            text, ok = column.get(label, (None, None))
            cells.append("—" if text is None else f"{text}: {'met' if ok else '**missed**'}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(paths):
    results = [json.loads(Path(p).read_text()) for p in paths]
    results.sort(key=lambda r: r["machine"]["database"] != "sqlite")
    body = [BEGIN, "", machine_section(results), "", "### Targets", "", targets_table(results), ""]
    for r in results:
        body.append(section(r))
    body.append("## Query plans\n")
    for r in results:
        body.append(plans_section(r))
    body.append(END)
    return "\n".join(body)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    paths = argv or sorted(str(p) for p in (REPO / "bench" / "out").glob("results-*.json") if "smoke" not in p.name)
    if not paths:
        raise SystemExit("No results: run python -m bench.run first.")
    generated = render(paths)
    text = DOCS.read_text() if DOCS.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOCS.write_text(head + generated + tail)
    print(f"wrote {DOCS} from {', '.join(paths)}")


if __name__ == "__main__":
    main()
