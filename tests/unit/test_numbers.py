"""The evaluation pages' numbers (trainer/numbers.py) print as the Jinja macros they replace."""
import random

import numpy as np

# The macros of templates/outcomes/_numbers.html before they became Python functions, verbatim.
MACROS = """\
{% macro num(value, places=2) %}{{ ("%." ~ places ~ "f") | format(value) if value is not none else "–" }}{% endmacro %}
{% macro ci(low, high) %}{% if low is not none %}{{ num(low) }} to {{ num(high) }}{% else %}–{% endif %}{% endmacro %}
{% macro pval(p) %}{% if p is none %}–{% elif p < 0.001 %}&lt; 0.001{% else %}{{ num(p, 3) }}{% endif %}{% endmacro %}
{% macro p_is(p) %}{% if p is none %}p not available{% elif p < 0.001 %}p &lt; 0.001{% else %}p = {{ num(p, 3) }}{% endif %}{% endmacro %}
"""
CALLS = ("[{{ num(a) }}|{{ num(a, 3) }}|{{ num(b, places=1) }}|{{ ci(a, b) }}|{{ ci(b, a) }}|{{ pval(p) }}|"
         "{{ p_is(p) }}|{{ pval(a) }}|{{ p_is(b) }}]")


def test_the_functions_print_as_the_macros_did_on_random_values(app):
    rng = random.Random(5)
    pool = [None, 0.0, -0.0, 1.0, 0.001, 0.0009999, 0.00049, 1e-12, 0.0005, 0.9995, 2.345, -2.345, 0.125, 1e6,
            float("nan"), float("inf"), np.float64(0.0004), np.float64(3.14159), np.int64(7), 3]
    values = [(rng.choice(pool), rng.choice(pool), rng.choice(pool)) for _ in range(300)]
    values += [(rng.uniform(-50, 50), rng.gauss(0, 10), 10 ** rng.uniform(-6, 0)) for _ in range(300)]
    template = "{% for a, b, p in values %}" + CALLS + "\n{% endfor %}"
    old = app.jinja_env.from_string(MACROS + template).render(values=values).lstrip("\n")
    new = app.jinja_env.from_string('{% from "outcomes/_numbers.html" import num, ci, pval, p_is %}'
                                    + template).render(values=values)
    assert new == old
    lines = new.splitlines()
    assert len(lines) == len(values) and "&lt; 0.001" in new and "p not available" in new and "–" in new
    assert lines[-1].count("|") == 8 and " to " in lines[-1]


# The "not shown" and table-cell macros before they became Python functions, verbatim.
CELL_MACROS = """\
{% set num, ci, pval, p_is = figure_num, figure_ci, figure_pval, figure_p_is %}
{% macro not_shown(reason) %}<span class="app-not-shown">Not shown: {{ reason }}</span>{% endmacro %}
{% macro desc_cells(cell, with_ci=false) -%}
{%- if cell.suppressed -%}
<td class="govuk-table__cell" colspan="{{ 4 if with_ci else 3 }}">{{ not_shown(cell.reason) }}</td>
{%- else -%}
<td class="govuk-table__cell govuk-table__cell--numeric">{{ cell.n }}</td>
<td class="govuk-table__cell govuk-table__cell--numeric">{{ num(cell.desc.mean) }}</td>
<td class="govuk-table__cell govuk-table__cell--numeric">{{ num(cell.desc.sd) }}</td>
{%- if with_ci %}
<td class="govuk-table__cell govuk-table__cell--numeric">{{ ci(cell.desc.ci_low, cell.desc.ci_high) }}</td>
{%- endif -%}
{%- endif -%}
{%- endmacro %}
"""
CELL_CALLS = ("<tr>{{ desc_cells(cell) }}|{{ desc_cells(cell, with_ci=true) }}|{{ desc_cells(cell, true) }}|"
              "{{ not_shown(cell.reason) }}|{{ not_shown(text) }}</tr>")


def test_the_cell_functions_print_as_the_macros_did_on_random_cells(app):
    from trainer import stats
    from trainer.services.outcomes.evaluation import Cell
    rng = random.Random(11)
    reasons = ["", "fewer than 5 responses", "results appear when the wave closes", "a <b> & 'quoted' \"reason\""]
    cells = []
    for _ in range(400):
        values = [rng.choice([rng.uniform(0, 5), rng.randint(0, 40) / 4]) for _ in range(rng.choice([0, 1, 2, 5, 30]))]
        reason = rng.choice(reasons)
        n = len(values)
        cells.append((Cell(None if reason else n, None if reason else stats.describe(values), reason),
                      rng.choice(reasons + [None, 7, "<i>x</i>"])))
    template = "{% for cell, text in cells %}" + CELL_CALLS + "\n{% endfor %}"
    old = app.jinja_env.from_string(CELL_MACROS + template).render(cells=cells).lstrip("\n")
    new = app.jinja_env.from_string('{% from "outcomes/_numbers.html" import not_shown, desc_cells %}'
                                    + template).render(cells=cells)
    assert new == old
    assert "colspan=\"4\"" in new and "colspan=\"3\"" in new and "&lt;b&gt; &amp;" in new and " to " in new
    assert new.count("<tr>") == len(cells)
