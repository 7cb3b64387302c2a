"""The benchmark harness: the performance figures the issues promise, measured and reported.

    make bench                                  # every figure, default scale, 5 repetitions
    make bench BENCH_ARGS="--only inbox"        # one figure (repeat --only for several)
    make bench BENCH_ARGS="--scale 0.1 --repeat 3"   # a quick run on datasets a tenth the size
    make bench BENCH_ARGS="--profile"           # also cProfile one run of each measured subject

`make bench` runs `python -m bench` under scripts/with-services.sh, which starts a throwaway
PostgreSQL and Redis. The harness migrates the empty database itself, wipes it (`flush`)
before each figure, and refuses to run against a database that already holds users.

Adding a figure: write one module under bench/figures/ that defines `FIGURE = Figure(...)`
(see bench/core.py). Its `setup(ctx)` builds the dataset with the generators of bench/data.py
and returns whatever `measure(ctx, state)` needs; `measure` times the subject and its
references in turns with `ctx.compare(...)` (`ctx.queries` and `ctx.breakdown` say which SQL
ran and where the time went) and returns `Row`s. The runner finds the module by itself.
`bench/urls.py` adds a no-op API endpoint, the floor any API figure can be read against.

The run always exits 0 when it completes: it is a report, not a gate. The last line says how
many figures hold.
"""
