"""One module per promised figure; each defines `FIGURE = bench.core.Figure(...)`.

The runner imports every module here, in name order, after Django is set up, so a module may
import models at the top. Keep a figure's dataset, subject and reference in its one module.
"""
