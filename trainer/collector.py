"""The garbage collector of a web worker, set for pages that build tens of thousands of objects.

A worker process holds a few hundred thousand objects that live as long as it does: modules,
the app, SQLAlchemy's and Jinja's compiled statements and templates. Python's cyclic collector,
left as it is, runs a young collection every 700 new container objects and, now and then, a full
one that walks every object of the process. Rendering a programme of a thousand people builds
tens of thousands of short-lived objects (rows, cells, escaped strings), so such a page paid for
several full walks of the whole process, a few milliseconds each, for garbage that reference
counting frees anyway. ``settle`` is called by ``app.py`` once it has built the app, so in every
process that serves it (gunicorn's workers import it after they start) and in ``flask`` commands:

- ``gc.freeze()`` moves every object alive at that moment out of the collector's reach for
  good: they are never walked again;
- the young generation's threshold goes from 700 to ``YOUNG_THRESHOLD``: cycles are still
  collected, in fewer and larger collections.

Tests build their apps with ``create_app`` and keep Python's defaults. Measured with
``benchmarks/run.py`` (three passes of 41 rounds): 5 to 10% off the largest pages on SQLite at
1,000 participants (flow, retention, cohort progress, attendance); no change beyond the noise
elsewhere.
"""
import gc

YOUNG_THRESHOLD = 10_000


def settle() -> None:
    """Freeze what the process has built so far and raise the young generation's threshold."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
