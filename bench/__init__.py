"""The benchmark harness: the performance figures the issues promise, measured and reported.

    make bench                                  # every figure, default scale, 5 repetitions
    make bench BENCH_ARGS="--only inbox"        # one figure (repeat --only for several)
    make bench BENCH_ARGS="--scale 0.1 --repeat 3"   # a quick run on datasets a tenth the size
    make bench BENCH_ARGS="--profile"           # also cProfile one run of each measured subject

`make bench` runs `python -m bench` under scripts/with-services.sh, which starts a throwaway
PostgreSQL and Redis. The harness migrates the empty database itself, wipes it (`flush`)
before each figure, and refuses to run against a database that already holds users.

The figures (`--list` prints them):

  bulletins alerting a risk bulletin to 100,000 people across 5,000 organisations against a
            set-based INSERT of the same rows, and the dispatch view after it
  inbox     the inbox list through DRF's test client against the same page by hand through
            psycopg2, at three depths, with the token-authenticated no-op request (the floor)
  notify    notify() and its deliveries
  projects  the project list anonymous and as an official against raw psycopg2, with the
            floors beside them: the anonymous no-op with and without the throttle (the
            difference is the throttle's cost) and the token no-op, and each list above its
            floor; Chinese search; statistics
  rollcall  a safety roll-call over 5,000 organisations and 20,000 projects, 40% silent: the
            official's board page (figures, first 50 organisations silent first, the pager)
            through the test client against the same figures and page by hand in psycopg2
  suppliers the supplier directory (category + country, anonymous) against raw psycopg2 on
            20,000 suppliers; the daily certificate-expiry job over 60,000 certificates, first
            and second run of a day; the suppliers suggested for a project
  talent    the talent pool's search (experience country + language level + certificate) on
            100,000 profiles through the API against the same search by hand in psycopg2
  trainings announcing a session to 50,000 people against a set-based INSERT of the rows
  wire      over the wire: gunicorn as docs/deploy.md runs it (sync workers, DEBUG off) on
            127.0.0.1, loaded by wrk (Debian's package; `scripts/system-packages.sh --bench`
            installs it) for a few seconds per target: the public project list's requests per
            second as a fraction of the anonymous no-op's, and both p99 latencies. It starts
            and stops its own server and touches nothing but loopback.

In-process figures time requests through DRF's test client, so the middleware, DRF and the
renderer are in the subject; the raw references run on their own psycopg2 connection in the
same turns (ctx.compare), so a busy machine slows both alike.

Adding a figure: write one module under bench/figures/ that defines `FIGURE = Figure(...)`
(see bench/core.py). Its `setup(ctx)` builds the dataset with the generators of bench/data.py
and returns whatever `measure(ctx, state)` needs; `measure` times the subject and its
references call by call in turn with `ctx.compare(...)` (`ctx.queries` and `ctx.breakdown` say which SQL
ran and where the time went) and returns `Row`s. The runner finds the module by itself.
`bench/urls.py` adds no-op API endpoints under /api/bench/ (token, anonymous, anonymous
without the throttle), the floors any API figure can be read against; bench/settings.py is the
portal's settings with those URLs, for servers a figure starts.

The run always exits 0 when it completes: it is a report, not a gate. The last line says how
many figures hold.
"""
