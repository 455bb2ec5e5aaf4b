"""The comparison page's programme cells written in Python (tables.compare_cells) are the
HTML the template's loop over the cells wrote."""
import random

import pytest

from trainer import stats
from trainer.tables import compare_cells
from trainer.services.privacy import disclosure
from trainer.services.ratings.ratings_compare import ComparisonRow, ProgrammeCell

# The loop as the template wrote it before the cells came ready to write.
_LOOP = '''{% from "reports/_macros.html" import not_shown %}
      {% for cell in row.cells %}
      <td class="govuk-table__cell govuk-table__cell--numeric">
        {#- A shown figure has 5 or more raters, so its mean and CI are never missing: formatted
            here rather than by the num and ci macros, which cost more than the rest of a cell. #}
        {% if cell.summary %}{{ "%.2f" | format(cell.summary.mean) }}<br><span class="govuk-body-s">{{ "%.2f to %.2f" | format(cell.summary.ci_low, cell.summary.ci_high) }}<br>n = {{ cell.n }}</span>
        {% elif cell.n == 0 %}<span class="govuk-body-s">No ratings</span>
        {% else %}<span class="govuk-body-s">{{ not_shown(cell.reason) }}</span>{% endif %}
      </td>
      {% endfor %}'''


def _cell(rng: random.Random) -> ProgrammeCell:
    kind = rng.choice(("shown", "none", "few", "open", "odd"))
    if kind == "shown":
        counts = [rng.randint(0, 9) for _ in range(5)]
        counts[rng.randrange(5)] += 5
        summary = stats.describe_counts([counts])[0]
        return ProgrammeCell(None, None, summary.n, summary, "")
    if kind == "none":
        return ProgrammeCell(None, None, 0, None, "no ratings")
    reason = {"few": disclosure.TOO_FEW, "open": disclosure.WAVE_OPEN, "odd": "<b>&'\""}[kind]
    return ProgrammeCell(None, None, None, None, reason)


@pytest.mark.parametrize("seed", range(5))
def test_the_cells_written_in_python_are_the_template_s(app, seed):
    rng = random.Random(seed)
    loop = app.jinja_env.from_string(_LOOP)
    for _ in range(20):
        row = ComparisonRow(None, 0, [_cell(rng) for _ in range(rng.randint(0, 12))], None, 0)
        assert "\n      " + str(compare_cells(row)) == loop.render(row=row)
