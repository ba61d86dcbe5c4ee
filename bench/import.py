"""Import speed: synthetic sites into SQLite and PostgreSQL, beside the bare database driver.

    python bench/import.py [--rows 100000,1000000] [--db sqlite,postgres] [--parks 1000]

For each size the script writes a synthetic data set (`technopark synth`), and for each
database makes a fresh one (a temporary SQLite file; on PostgreSQL the database
`technopark_bench`, created and dropped here), migrates it, imports the parks, then times the
real importer (`technopark.parks.exchange.importer.import_files`, the function behind
`technopark import`) on the sites file: parse, check every cell, write sites and their history
rows in one transaction. The reference is the same rows, already parsed, written by the driver
alone into a fresh copy of the same table (sqlite3 executemany; psycopg COPY with write_row),
in one transaction, without checks or history — the floor that no importer can beat. Each
measurement runs in its own process.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "technopark_bench"
DRIVER_CHUNK = 50_000


def child(db: str, data_dir: Path, work: Path) -> dict[str, float]:
    """Run in a fresh process whose DATABASE_URL points at an empty database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from technopark.parks.exchange.importer import SQLITE_CACHE_KIB, import_files, main_fields
    from technopark.parks.exchange.schema import Entity
    from technopark.parks.models import Park

    call_command("migrate", verbosity=0)
    report = import_files([data_dir / "parks.csv"])
    assert not report.errors, report.errors[:5]
    baseline_copy = None
    if db == "sqlite":
        connection.close()
        baseline_copy = work / "driver.sqlite3"
        shutil.copy(work / "bench.sqlite3", baseline_copy)
    report = import_files([data_dir / "sites.csv"])
    assert not report.errors, report.errors[:5]
    rows = report.rows
    importer = {
        "rows": rows,
        "seconds": report.seconds,
        "check": report.check_seconds,
        "write": report.write_seconds,
    }

    # The driver alone: the same rows, parsed beforehand (not timed), into an empty table.
    parks = dict(Park.objects.values_list("park_id", "id"))
    fields = main_fields(Entity.SITES)
    columns = ["id", "created", "updated", *fields]
    header_index = None
    now = "2026-01-01 00:00:00"
    seconds = 0.0
    if db == "sqlite":
        import sqlite3

        raw = sqlite3.connect(baseline_copy)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")  # as the importer has
        sql = (
            f"INSERT INTO parks_site ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
    else:  # the same empty table: the importer's rows go; one transaction, as the importer's
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE parks_site, parks_historicalsite CASCADE")
            cursor.execute("BEGIN")
            cursor.execute("SET LOCAL synchronous_commit = off")
    with open(data_dir / "sites.csv", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        header_index = {name: i for i, name in enumerate(header)}
        pk = 0

        def to_row(cells: list[str]) -> tuple:
            nonlocal pk
            pk += 1
            values = []
            for name in fields:
                if name == "park_id":
                    values.append(parks[cells[header_index["park_id"]]])
                elif name == "as_of":
                    values.append(cells[header_index["as_of"]] and "2024-01-01")
                elif name == "as_of_precision":
                    values.append("day")
                elif name == "owner_id":
                    values.append(None)
                else:
                    text = cells[header_index[name]]
                    values.append(
                        text
                        if text != ""
                        else (
                            None
                            if name not in ("name", "tenure", "currency", "notes", "source")
                            else ""
                        )
                    )
            return (pk, now, now, *values)

        while True:
            chunk = [to_row(c) for _, c in zip(range(DRIVER_CHUNK), reader, strict=False)]
            if not chunk:
                break
            started = time.perf_counter()
            if db == "sqlite":
                raw.executemany(sql, chunk)
            else:
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(
                        f"COPY parks_site ({', '.join(columns)}) FROM STDIN"
                    ) as copy,
                ):
                    for row in chunk:
                        copy.write_row(row)
            seconds += time.perf_counter() - started
    started = time.perf_counter()
    if db == "sqlite":
        raw.commit()
        raw.close()
    else:  # the deferred foreign-key checks run here
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")
    seconds += time.perf_counter() - started
    return {**importer, "driver_seconds": seconds}


def run(db: str, n: int, data_dir: Path, work: Path) -> dict[str, float]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench",
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "technopark.config.settings",
    }
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(PG_URL + "postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            admin.execute(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = PG_URL + PG_DB
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", db, str(data_dir), str(work)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        if db == "postgres":
            import psycopg

            with psycopg.connect(PG_URL + "postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--parks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        db, data_dir, work = args.child
        print(json.dumps(child(db, Path(data_dir), Path(work))))
        return

    sys.path.insert(0, str(ROOT / "src"))
    from technopark.parks.exchange.synth import write_synth

    sizes = [int(n) for n in args.rows.split(",")]
    dbs = [d.strip() for d in args.db.split(",")]
    print(
        f"{'rows':>9} {'database':<9} {'importer rows/s':>15} {'check s':>8} {'write s':>8} "
        f"{'driver rows/s':>13} {'importer/driver':>15}"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="technopark-bench-") as tmp:
            data_dir = Path(tmp) / "data"
            write_synth(data_dir, parks=args.parks, sites=n, seed=args.seed)
            for db in dbs:
                work = Path(tmp) / db
                work.mkdir()
                r = run(db, n, data_dir, work)
                rate = r["rows"] / r["seconds"]
                driver = r["rows"] / r["driver_seconds"]
                print(
                    f"{n:>9,} {db:<9} {rate:>15,.0f} {r['check']:>8.1f} {r['write']:>8.1f} "
                    f"{driver:>13,.0f} {rate / driver:>15.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
