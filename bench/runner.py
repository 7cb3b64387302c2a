"""The command line: set Django up on the throwaway database, run the figures, print the table."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this figure (repeatable)")
    parser.add_argument("--repeat", type=int, default=5, help="timed samples per measurement (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="discarded runs before the samples (default 1)")
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size factor, e.g. 0.1 (default 1)")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of each measured subject")
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.scale <= 0:
        parser.error("--repeat must be ≥ 1, --warmup ≥ 0 and --scale > 0")
    return args


def setup_django() -> None:
    """Production-like settings on plain HTTP, against the database in DATABASE_URL."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    # DEBUG would record every query in memory; HTTPS would redirect the test client's requests.
    os.environ["DEBUG"] = "0"
    os.environ["HTTPS"] = "0"
    import django

    django.setup()


def discover():
    """Every `FIGURE` under bench/figures/, in module-name order."""
    from bench import figures

    found = []
    for info in sorted(pkgutil.iter_modules(figures.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{figures.__name__}.{info.name}")
        figure = getattr(module, "FIGURE", None)
        if figure is not None:
            found.append(figure)
    return found


def prepare_database() -> str:
    """Migrate the empty database; refuse one that holds users. The server's version."""
    from django.core.management import call_command
    from django.db import connection

    from portal.models import User

    if User._meta.db_table in connection.introspection.table_names() and User.objects.exists():
        raise SystemExit(
            "bench: the database already holds users, and the bench wipes it. Run it on a throwaway "
            "server: scripts/with-services.sh .venv/bin/python -m bench"
        )
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrated in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        return cur.fetchone()[0]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()

    from django.core.management import call_command

    from bench.core import Context
    from bench.report import print_figure_rows, print_summary, print_table

    figures = discover()
    if args.list:
        for figure in figures:
            print(f"{figure.name:12} {figure.goal}")
        return 0
    if args.only:
        unknown = sorted(set(args.only) - {f.name for f in figures})
        if unknown:
            known = ", ".join(f.name for f in figures)
            print(f"bench: no figure named {', '.join(unknown)}; known: {known}", file=sys.stderr)
            return 2
        figures = [f for f in figures if f.name in args.only]
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print(
            "bench: DATABASE_URL must name a throwaway PostgreSQL database; run\n"
            "  scripts/with-services.sh .venv/bin/python -m bench   (or: make bench)",
            file=sys.stderr,
        )
        return 2

    ctx = Context(scale=args.scale, repeat=args.repeat, warmup=args.warmup, profile=args.profile)
    started = time.perf_counter()
    server = prepare_database()
    print(
        f"PostgreSQL {server}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"scale {ctx.scale:g}, {ctx.repeat} samples after {ctx.warmup} warm-up"
    )

    results = []
    for figure in figures:
        print(f"\n== {figure.name}: {figure.title}\n   goal: {figure.goal}")
        call_command("flush", interactive=False, verbosity=0)
        start = time.perf_counter()
        state = figure.setup(ctx)
        print(f"   dataset built in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        rows = figure.measure(ctx, state)
        print(f"   measured in {time.perf_counter() - start:.1f} s")
        print_figure_rows(rows)
        results.append((figure, rows))

    print()
    print_table(results)
    print_summary(results, elapsed=time.perf_counter() - started)
    return 0
