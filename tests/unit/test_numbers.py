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
