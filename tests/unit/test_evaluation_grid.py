"""The evaluation's grid of scores: the same scores as ``score_table``, and the same figures."""
import math
from datetime import date

from tests.factories import make_member, make_outcome_waves, make_programme, make_scores
from trainer.services.outcomes import evaluation

AFTER = date(2027, 6, 1)  # every wave of make_outcome_waves has closed


def test_the_grid_holds_each_participants_scores_and_nothing_of_anyone_else(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs", "gse"))
    people = []
    for i in range(14):
        m = make_member(programme, arm=("intervention", "comparison")[i % 2])
        people.append(m)
        make_scores(m, waves["baseline"], "brs", {"total": 2.0 + i / 7})
        if i % 3:
            make_scores(m, waves["post"], "brs", {"total": 2.5 + i / 9})
        make_scores(m, waves["baseline"], "gse", {"total": 20 + i})
    lead = make_member(programme, "lead")
    make_scores(lead, waves["baseline"], "brs", {"total": 5.0})  # not a participant: not read
    data = evaluation.load(programme)
    assert [m.id for m in data.members] == sorted(m.id for m in people)
    for instrument in data.chosen:
        for scale in instrument.scales:
            table = evaluation.score_table(programme, instrument.key, scale.key)
            grid = data.grids[(instrument.key, scale.key)]
            assert grid.shape == (len(data.waves), len(data.members))
            for i, wave in enumerate(data.waves):
                for j, m in enumerate(data.members):
                    value = table.get((m.id, wave.id))
                    assert (math.isnan(grid[i, j]) if value is None else grid[i, j] == value)
    assert list(data.arms) == [m.arm for m in data.members]
    # The page's figures (from the grid) are those of evaluate (from the score table).
    page = evaluation.overview(programme, "brs", "total", today=AFTER, data=data)
    alone = evaluation.evaluate(programme, "brs", "total", today=AFTER)
    assert page.result.cells == alone.cells and page.result.changes == alone.changes
    assert page.result.comparisons == alone.comparisons
    assert data.grid(("brs", "nothing")).shape == (len(data.waves), len(data.members))
