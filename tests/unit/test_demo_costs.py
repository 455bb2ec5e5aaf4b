"""The demo's costs: complete, each figure labelled illustrative and not sourced."""
from datetime import datetime, timezone

from sqlalchemy import select

from trainer.extensions import db
from trainer.models import Programme
from trainer import demo
from trainer.demo import costs as demo_costs
from trainer.services.outcomes import costs

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


def test_demo_programme_has_complete_costs_labelled_illustrative(app, modules):
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    programme = db.session.scalars(select(Programme).where(Programme.status != "closed")).one()
    s = costs.summary(programme, today=NOW.date())
    assert s.missing == [] and s.total > 0 and s.per_allocated and s.per_completer
    assert all(line.source.startswith(demo_costs.ILLUSTRATIVE) for line in s.lines)
    assert s.retention.break_even is not None or s.retention.cost_per_retained is not None
    assert len(s.retention.sensitivity) == 10 or s.retention.cost_per_retained is not None
