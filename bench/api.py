"""API latency under load: park list (filtered and not), park detail and site list.

    python bench/api.py [--parks 50000] [--sites 1000000] [--db sqlite,postgres]
                        [--clients 50] [--requests 2000] [--workers N] [--threads N]
                        [--only detail,filtered] [--access-log]

For each database the script fills a dedicated database with synthetic parks and sites (bulk
inserts, reused on the next run when the counts match: a SQLite file in bench/out/, the
PostgreSQL database `technopark_bench_api`; other sizes get their own, suffixed with the
size), starts the product's server (granian) on 127.0.0.1 with the product's settings and URLs
plus the bench-only views, and sends a bounded number of requests from
`--clients` threads, each a closed loop over its own keep-alive connection (no think time). It
prints p50 and p95 latency and throughput of each endpoint beside the reference measured on
the same server in the same run: a bare Django view that returns a fixed JSON document (same
middleware, no database, no serialisation) — the floor of this server on this machine. Budget
(DESIGN.md): park list and detail p95 ≤ 50 ms.

The clients run in this one Python process on the server's own cores, so their CPU time is
part of every latency, the reference's included; it is printed per request ("client CPU").
They read each response with a minimal HTTP/1.1 reader (status line, Content-Length, the whole
body): http.client parses every header with the email package, ~0.4 ms of CPU a request here
against ~0.25 ms.

Reads are cached per registry version (parks/api.py), so repeated URLs are mostly cache hits;
"park list, cold" asks a page at random of 800 (~29% of its measured requests are a page's
first read) and shows the cost of a miss; "park detail, cold" asks each park once (after its
warm-up's parks, other parks): every request a first read. With REDIS_URL set the server
caches in Redis (as in production), under a key prefix of its own per run, deleted at the
end of the run, and each worker keeps what it read for 5 s (RecentReads); otherwise each
worker keeps its own memory cache, and a park detail asked at random misses once per worker
instead of once. Nothing is cached before the run but by the warm-up (a tenth of the
requests, on the same URLs): of the 500 park details, about 330 are first asked during the
measured run, so park detail's p95 is that of a mix of hits and ~16% misses (1 - e^-0.4 of
them warmed); "park detail, warm" reads each of the 500 once before the clock starts (only
hits), and "park detail, cold" only first reads.

Server: the product's own production configuration, started from `technopark serve`'s
server_options() (core/management/commands/serve.py) by this script run with --serve-on:
granian's WSGI workers, one per core × serve.THREADS threads, HTTP/1.1 keep-alive closed
after 30 s idle; WEB_CONCURRENCY and TECHNOPARK_THREADS or --workers/--threads change it for
both. The one difference: no access log unless `--access-log` (to
bench/out/access-<database>.log), as with `TECHNOPARK_ACCESS_LOG=off` behind a proxy that
logs; one run with it on (2026-11-29) gave figures within the spread of runs without. The
reference runs on the same server. Until 2026-11-28 the product (and this script) ran
gunicorn gthread 2 × 8, which alternating runs had measured ahead of 4 × 4, 2 × 16 and 3 × 8
(docs/benchmarks.md); at the same moments granian 2 × 2 and 2 × 8 answered the bare view at
p95 35–45 ms and 2,066–3,043 req/s against gunicorn's 44–92 ms and 1,115–1,957.

The bench-only views and urlconf live in this file: granian's workers import it as the
settings module (`TECHNOPARK_BENCH_SERVER=1`), never the product.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from granian import Granian

from technopark.core.management.commands import serve

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
PG_SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "technopark_bench_api"
BUDGET_P95_MS = 50.0
# How a case picks its paths (by default each request one at random, the warm-up too):
EACH_ONCE = "each path once, warm-up and measurement in one pass"
READ_ALL_FIRST = "warm-up reads each path once, then at random"


def cache_prefix(run_id: str) -> str:
    """The server's cache key prefix in one run: a shared Redis must not answer a run from the
    last one, and the run deletes its own entries at the end (forget_cached_reads)."""
    return f"bench-api-{run_id}"


# ---- the server side: granian's workers import this module as DJANGO_SETTINGS_MODULE -----

if os.environ.get("TECHNOPARK_BENCH_SERVER") == "1":
    from django.http import HttpRequest, JsonResponse
    from django.urls import include, path

    from technopark.config.settings import *  # noqa: F403

    ROOT_URLCONF = __name__
    if os.environ.get("BENCH_RUN_ID") and "KEY_PREFIX" not in CACHES["default"]:  # noqa: F405
        CACHES["default"]["KEY_PREFIX"] = cache_prefix(os.environ["BENCH_RUN_ID"])  # noqa: F405
    FIXED = {"count": 1, "results": [{"park_id": "fixed", "name": "Fixed document"}]}

    # As large as a page of 50 parks (~46 KB): sending and reading the body is part of the floor.
    FIXED_PAGE = {
        "count": 47500,
        "limit": 50,
        "offset": 0,
        "results": [
            {f"field_{j:02d}": f"value {i:02d}-{j:02d} " + "x" * 8 for j in range(36)}
            for i in range(50)
        ],
    }

    def fixed_json(request: HttpRequest) -> JsonResponse:
        """The reference: a bare view returning fixed JSON through the same middleware."""
        return JsonResponse(FIXED)

    def fixed_page(request: HttpRequest) -> JsonResponse:
        """The same, with a body the size of a park list page."""
        return JsonResponse(FIXED_PAGE)

    def worker_pid(request: HttpRequest) -> JsonResponse:
        """Which worker process serves this connection (the clients' spread over workers)."""
        return JsonResponse({"pid": os.getpid()})

    def __getattr__(name: str) -> Any:
        """The urlconf, built on first use: the product's URLs need the apps loaded first."""
        if name == "urlpatterns":
            return [
                path("bench/fixed-json", fixed_json),
                path("bench/fixed-page", fixed_page),
                path("bench/worker", worker_pid),
                path("", include("technopark.config.urls")),
            ]
        raise AttributeError(name)


# ---- populating a database ---------------------------------------------------------------


def populate(parks: int, sites: int) -> dict[str, Any]:
    """Fill the configured database (DATABASE_URL) with synthetic parks and sites."""
    import django

    # As in the server below: the product refuses to start without one (DEBUG off).
    os.environ.setdefault("SECRET_KEY", "bench-only-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "technopark.config.settings")
    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction

    from technopark.geo.models import Country, Region
    from technopark.parks.models import Organization, Park, Site

    call_command("migrate", verbosity=0)
    if Park.objects.count() == parks and Site.objects.count() == sites:
        return {"reused": True, "parks": parks, "sites": sites}
    started = time.perf_counter()
    rng = random.Random(20261128)
    with transaction.atomic():
        Site.objects.all().delete()
        Park.objects.all().delete()
        Organization.objects.filter(name__startswith="Bench operator").delete()
        countries = {}
        for code, name, currency in (
            ("UZ", "Uzbekistan", "UZS"),
            ("RU", "Russia", "RUB"),
            ("KZ", "Kazakhstan", "KZT"),
        ):
            countries[code], _ = Country.objects.get_or_create(
                code=code, defaults={"name": name, "currency": currency}
            )
        regions = {
            code: [
                Region.objects.get_or_create(country=c, name=f"Bench region {code}-{i}")[0]
                for i in range(10)
            ]
            for code, c in countries.items()
        }
        operators = Organization.objects.bulk_create(
            [
                Organization(name=f"Bench operator {i}", kind="management_company")
                for i in range(500)
            ]
        )
        isic = ["10", "13", "20", "22", "24", "25", "26", "27", "28", "29", "62", "72"]
        kinds = ["technopark", "industrial_park", "sez", "fez", "small_industrial_zone"]
        park_rows = []
        for i in range(parks):
            code = rng.choice(["UZ", "RU", "RU", "KZ"])
            total = Decimal(rng.randint(10, 2000))
            park_rows.append(
                Park(
                    park_id=f"bench-park-{i:06d}",
                    name=f"Bench park {i:06d}",
                    kind=rng.choice(kinds),
                    stage=rng.choice(["concept", "under_construction", "operating"]),
                    country=countries[code],
                    region=rng.choice(regions[code]),
                    lat=rng.uniform(37.0, 60.0),
                    lon=rng.uniform(30.0, 90.0),
                    coord_precision=rng.choice(["site", "city"]),
                    area_total_ha=total,
                    area_free_ha=(total * Decimal(rng.randint(0, 100)) / 100).quantize(
                        Decimal("0.0001")
                    ),
                    industries=rng.sample(isic, rng.randint(1, 3)),
                    operator=rng.choice(operators),
                    established=rng.randint(1995, 2025),
                    is_published=i % 20 != 19,  # one in twenty unpublished
                    source="synthetic benchmark data",
                )
            )
        Park.objects.bulk_create(park_rows, batch_size=5000)
        park_ids = list(Park.objects.values_list("id", flat=True))
    batch: list[Site] = []
    for i in range(sites):
        batch.append(
            Site(
                site_id=f"bench-site-{i:07d}",
                park_id=park_ids[i % len(park_ids)],
                kind="plot" if i % 5 else "premises",
                area_ha=Decimal(rng.randint(1, 500)) / 10,
                area_m2=Decimal(rng.randint(500, 20000)) if i % 5 == 0 else None,
                status=rng.choice(["available", "available", "reserved", "occupied"]),
                tenure="lease",
                lease_per_year=Decimal(rng.randint(1000, 100000)),
                currency="USD",
                electricity_mw=Decimal(rng.randint(0, 200)) / 10,
                source="synthetic benchmark data",
            )
        )
        if len(batch) == 10000:
            with transaction.atomic():
                Site.objects.bulk_create(batch)
            batch = []
    if batch:
        Site.objects.bulk_create(batch)
    # Fresh statistics, so that the planner sees the table sizes the benchmark queries.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "reused": False,
        "parks": parks,
        "sites": sites,
        "seconds": round(time.perf_counter() - started, 1),
    }


# ---- the client side ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(
    port: int, server: subprocess.Popen[bytes], log: Path, timeout: float = 60.0
) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and server.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not start; see {log.relative_to(ROOT)}")


class KeepAliveConnection:
    """GET requests over one keep-alive HTTP/1.1 connection; each body is read in full.

    Not http.client: it parses every response's headers with the email package, and the 50
    clients run in this one process on the server's own two cores, so the client's CPU time
    is part of every latency measured (the reference's too). This reads the status line and
    Content-Length and nothing else; a response without Content-Length counts as an error.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = bytearray()

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None
        self.buffer.clear()

    def _receive(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(256 * 1024)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def get(self, path: str) -> tuple[int, bytes]:
        """The status and body of GET `path`."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._receive()
        lines = bytes(self.buffer[:end]).split(b"\r\n")
        del self.buffer[: end + 4]
        status = int(lines[0].split(b" ", 2)[1])
        length, close = -1, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
        if length < 0:
            raise ConnectionError(f"no Content-Length in the answer to {path}")
        while len(self.buffer) < length:
            self._receive()
        body = bytes(self.buffer[:length])
        del self.buffer[:length]
        if close:
            self.close()
        return status, body


def load(
    port: int, paths: list[str], clients: int, total: int, once: Iterator[str] | None = None
) -> dict[str, float]:
    """Send `total` requests spread over `clients` keep-alive threads; latencies in ms.

    Each request asks a path chosen at random from `paths`, or the next one of `once` (every
    path once, shared by the clients)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(total))

    ready = threading.Barrier(clients + 1)

    def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        conn = KeepAliveConnection(port)
        mine: list[float] = []
        bad = 0
        # Connected and served once before the clock starts: the latency measured is that of
        # a request on an open keep-alive connection, not of the TCP handshake and the
        # server's accept (50 of them would be 2.5% of 2,000 samples, half the top 5%).
        try:
            conn.get(paths[0])
        except OSError:
            conn.close()
        ready.wait()
        while True:
            with lock:
                if next(counter, None) is None:
                    break
                path = rng.choice(paths) if once is None else next(once)
            started = time.perf_counter()
            try:
                if conn.get(path)[0] != 200:
                    bad += 1
            except OSError:
                bad += 1
                conn.close()
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    ready.wait()  # every client connected: start the clock
    started = time.perf_counter()
    client_cpu = time.process_time()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_cpu
    latencies.sort()
    return {
        "p50": statistics.median(latencies),
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "rps": len(latencies) / elapsed,
        "errors": errors,
        # The clients share the server's 2 cores: their CPU time per request is part of every
        # latency measured here, the reference's included.
        "client_cpu_ms": client_cpu * 1000 / max(len(latencies), 1),
    }


def size_suffix(args: argparse.Namespace) -> str:
    """Databases of another size get their own name, so a small run keeps the full data."""
    if (args.parks, args.sites) == (50_000, 1_000_000):
        return ""
    return f"_{args.parks}_{args.sites}"


def run_database(label: str, url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    env = {
        **os.environ,
        "BENCH_RUN_ID": f"{os.getpid()}-{time.time_ns()}",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-only-secret",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONPATH": os.pathsep.join(
            [str(BENCH), str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    print(f"\n[{label}] preparing {args.parks:,} parks and {args.sites:,} sites …", flush=True)
    prep = subprocess.run(
        [
            sys.executable,
            __file__,
            "--populate-only",
            "--parks",
            str(args.parks),
            "--sites",
            str(args.sites),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prep.returncode != 0:
        raise SystemExit(f"populating {label} failed:\n{prep.stderr[-3000:]}")
    print(f"[{label}] data: {prep.stdout.strip().splitlines()[-1]}", flush=True)

    port = free_port()
    log_path = OUT / f"server-{label}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve-on",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            *(["--access-log-file", str(OUT / f"access-{label}.log")] if args.access_log else []),
        ],
        env={**env, "DJANGO_SETTINGS_MODULE": "api", "TECHNOPARK_BENCH_SERVER": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(port, server, log_path)
        rng = random.Random(7)
        published = [i for i in range(args.parks) if i % 20 != 19]
        park_paths = [f"/api/v1/parks/bench-park-{rng.choice(published):06d}" for _ in range(500)]
        cases = [
            ("reference: bare view, fixed JSON", ["/bench/fixed-json"]),
            ("reference: bare view, page-sized JSON", ["/bench/fixed-page"]),
            ("park list, unfiltered", ["/api/v1/parks", "/api/v1/parks?offset=500"]),
            (
                "park list, filtered",
                [
                    "/api/v1/parks?country=UZ&industry=27&min_free_area=100",
                    "/api/v1/parks?country=RU&kind=sez&stage=operating",
                    "/api/v1/parks?q=park%2001&ordering=-area_free_ha",
                ],
            ),
            ("park detail", park_paths),
            # The same 500 parks, each read once before the clock starts: only hits.
            ("park detail, warm (500 read before)", park_paths, READ_ALL_FIRST),
            (
                # Every request a park not read before: what a first read costs.
                "park detail, cold (each park once)",
                [f"/api/v1/parks/bench-park-{i:06d}" for i in published[-(args.requests * 2) :]],
                EACH_ONCE,
            ),
            (
                # A page at random of 800: ~29% of the measured requests read a page for the
                # first time (800 · (e^-0.25 − e^-2.75) of 2,000), what the cache cannot help.
                "park list, cold (800 pages at random)",
                [f"/api/v1/parks?offset={50 * i}" for i in range(min(args.parks, 40_000) // 50)],
            ),
            (
                "site list",
                [
                    "/api/v1/sites",
                    *[
                        f"/api/v1/sites?park=bench-park-{rng.choice(published):06d}"
                        for _ in range(50)
                    ],
                ],
            ),
        ]
        if args.only:
            # While iterating: the references and the cases whose names contain a given word.
            words = args.only.split(",")
            cases = cases[:2] + [c for c in cases[2:] if any(w in c[0] for w in words)]
        rows = []
        for name, paths, *order in cases:
            warm_up, warm_once, once = max(50, args.requests // 10), None, None
            if order == [EACH_ONCE]:  # warm-up and measurement share one pass over the paths
                warm_once = once = iter(paths[1:])
            elif order == [READ_ALL_FIRST]:  # each path once, then at random
                distinct = sorted(set(paths))
                warm_up, warm_once = len(distinct), iter(distinct)
            load(port, paths, min(args.clients, 10), warm_up, warm_once)
            result = load(port, paths, args.clients, args.requests, once)
            rows.append({"database": label, "case": name, **result, "load": os.getloadavg()[0]})
            load1 = os.getloadavg()[0]
            print(
                f"[{label}] {name:<38} p50 {result['p50']:7.1f} ms   p95 {result['p95']:7.1f} ms"
                f"   {result['rps']:7.0f} req/s   errors {result['errors']}   load {load1:.1f}"
                f"   client CPU {result['client_cpu_ms']:.2f} ms/req",
                flush=True,
            )
        return rows
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        forget_cached_reads(cache_prefix(env["BENCH_RUN_ID"]) + ":")


def forget_cached_reads(prefix: str) -> None:
    """Deletes this run's entries from Redis: left to expire (5 minutes), tens of thousands of
    them made Redis's expiry work part of the next run's figures."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url)
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{prefix}*", count=5000):
        batch.append(key)
        if len(batch) == 5000:
            client.unlink(*batch)
            batch.clear()
    if batch:
        client.unlink(*batch)


def postgres_url(name: str) -> str:
    import psycopg

    server = PG_SERVER.replace("postgres://", "postgresql://")
    with psycopg.connect(server + "postgres", autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return PG_SERVER + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parks", type=int, default=50_000)
    parser.add_argument("--sites", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="requests per case")
    parser.add_argument(
        "--workers",
        type=int,
        default=serve.default_workers(),
        help="worker processes (default: technopark serve's)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=serve.default_threads(),
        help="threads per worker process (default: technopark serve's)",
    )
    parser.add_argument(
        "--only", default="", help="only the cases whose names contain one of these words (a,b)"
    )
    parser.add_argument(
        "--access-log",
        action="store_true",
        help="the server writes its access log (as `technopark serve` does by default), to "
        "bench/out/access-<database>.log",
    )
    parser.add_argument("--access-log-file", help=argparse.SUPPRESS)
    parser.add_argument("--populate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-on", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.populate_only:
        print(json.dumps(populate(args.parks, args.sites)))
        return
    if args.serve_on:
        # The server of `technopark serve --production`, as configured there; no access log
        # unless asked for.
        options = serve.server_options(
            f"127.0.0.1:{args.serve_on}",
            args.workers,
            args.threads,
            access_log=args.access_log_file,
        )
        Granian(**options).serve()
        return

    OUT.mkdir(exist_ok=True)
    print(
        f"API benchmark: {args.parks:,} parks, {args.sites:,} sites, {args.clients} clients, "
        f"{args.requests} requests per case, granian {args.workers} workers × {args.threads} "
        f"threads, {os.cpu_count()} CPUs, cache "
        f"{'Redis' if os.environ.get('REDIS_URL') else 'per-process memory'}, access log "
        f"{'on' if args.access_log else 'off'}",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    for label in args.db.split(","):
        if label == "sqlite":
            url = f"sqlite:///{OUT / f'api-bench{size_suffix(args)}.sqlite3'}"
        elif label == "postgres":
            url = postgres_url(PG_DB + size_suffix(args))
        else:
            raise SystemExit(f"unknown database {label!r}: use sqlite and/or postgres")
        rows += run_database(label, url, args)

    print(
        "\nSummary (p95 budget for park list and detail: "
        f"{BUDGET_P95_MS:.0f} ms; ratios = p95 / p95 of the bare and the page-sized reference)"
    )
    for label in args.db.split(","):
        mine = [r for r in rows if r["database"] == label]
        reference, page_reference = mine[0]["p95"], mine[1]["p95"]
        for r in mine:
            verdict = ""
            if r["case"].startswith("park"):
                verdict = "within budget" if r["p95"] <= BUDGET_P95_MS else "OVER BUDGET"
            print(
                f"  {label:<8} {r['case']:<38} p95 {r['p95']:7.1f} ms  "
                f"×{r['p95'] / reference:5.1f}  ×{r['p95'] / page_reference:5.1f}  {verdict}"
            )
    (OUT / "api.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
