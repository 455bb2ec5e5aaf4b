"""The table of the ``table`` macro, written in Python (``trainer/tables.py``), gives the HTML
the macro's Jinja text gave, character for character, for any caption, head and cells; so do
the retention page's rows and the participant flow's stages and diagram, for any of them."""
from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from trainer import tables
from trainer.services.outcomes.consort import Box, Diagram, Line
from trainer.services.outcomes.evaluation import FlowBox
from trainer.services.outcomes.retention import CATEGORY_LABELS, Named

# The macro as it was written in Jinja (templates/macros/ui.html before trainer/tables.py).
JINJA_TABLE = """{%- macro table(caption, head, rows, numeric_cols=(), first_cell_is_header=false, scroll=true) -%}
{%- if scroll %}
<div class="app-table-scroll" role="region" tabindex="0" aria-label="{{ caption or 'Table' }}">
{%- endif %}
<table class="govuk-table">
  {%- if caption %}
  <caption class="govuk-table__caption govuk-table__caption--m">{{ caption }}</caption>
  {%- endif %}
  {%- if head %}
  <thead class="govuk-table__head">
    <tr class="govuk-table__row">
      {%- for text in head %}
      <th scope="col" class="govuk-table__header{{ ' govuk-table__header--numeric' if loop.index0 in numeric_cols }}">{{ text }}</th>
      {%- endfor %}
    </tr>
  </thead>
  {%- endif %}
  <tbody class="govuk-table__body">
    {%- for row in rows %}
    <tr class="govuk-table__row">
      {%- for value in row %}
      {%- set numeric = loop.index0 in numeric_cols %}
      {%- if loop.first and first_cell_is_header %}
      <th scope="row" class="govuk-table__header{{ ' govuk-table__header--numeric' if numeric }}">{{ value if value is not none else "" }}</th>
      {%- else %}
      <td class="govuk-table__cell{{ ' govuk-table__cell--numeric' if numeric }}">{{ value if value is not none else "" }}</td>
      {%- endif %}
      {%- endfor %}
    </tr>
    {%- endfor %}
  </tbody>
</table>
{%- if scroll %}
</div>
{%- endif %}
{%- endmacro -%}"""

_text = st.text(alphabet=st.sampled_from(list("ab <>&\"'é1")), max_size=6)
_cell = st.one_of(st.none(), _text, st.integers(-5, 500), st.floats(allow_nan=False, width=32),
                  _text.map(lambda t: Markup(f"<em>{t}</em>")), st.booleans())


@settings(max_examples=300, deadline=None)
@given(caption=st.one_of(st.none(), _text), head=st.lists(_text, max_size=4),
       rows=st.lists(st.lists(_cell, max_size=5), max_size=5),
       numeric_cols=st.sets(st.integers(0, 5), max_size=3).map(tuple),
       first_cell_is_header=st.booleans(), scroll=st.booleans())
def test_the_python_table_writes_the_macro_s_html(app, caption, head, rows, numeric_cols,
                                                 first_cell_is_header, scroll):
    jinja = app.jinja_env.from_string(JINJA_TABLE + "{{ table(caption, head, rows, numeric_cols, "
                                      "first_cell_is_header, scroll) }}")
    arguments = dict(caption=caption, head=head, rows=rows, numeric_cols=numeric_cols,
                     first_cell_is_header=first_cell_is_header, scroll=scroll)
    assert tables.table(**arguments) == jinja.render(**arguments)


def test_the_macro_calls_it_and_escapes_text_but_not_markup(app):
    page = app.jinja_env.from_string('{% from "macros/ui.html" import table %}'
                                     '{{ table("A & B", ["<Name>"], [("<b>", Markup("<i>x</i>"))], '
                                     'first_cell_is_header=true) }}').render(Markup=Markup)
    assert 'aria-label="A &amp; B"' in page and "&lt;Name&gt;" in page
    assert '<th scope="row" class="govuk-table__header">&lt;b&gt;</th>' in page
    assert '<td class="govuk-table__cell"><i>x</i></td>' in page


# The retention page's loops as they were written in Jinja (templates/outcomes/retention.html
# before the filters ``survival_rows`` and ``retention_rows``), between their tbody tags.
JINJA_SURVIVAL_ROWS = """<tbody class="govuk-table__body">
  {% for day, at_risk, left, proportion in rows %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ day }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ at_risk }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ left }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ proportion }}</td>
    </tr>
  {% endfor %}
  </tbody>"""
JINJA_RETENTION_ROWS = """<tbody class="govuk-table__body">
  {% for m in members %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell">{{ m.display_name }}</td>
      <td class="govuk-table__cell">{{ m.arm | capitalize }}</td>
      <td class="govuk-table__cell">{{ "Yes" if m.in_post else "No" }}</td>
      <td class="govuk-table__cell">{{ m.left_on.strftime("%-d %b %Y") if m.left_on else "" }}</td>
      <td class="govuk-table__cell">{{ category_labels[m.leaver_category] if m.leaver_category else "" }}</td>
      <td class="govuk-table__cell">{{ m.leaving_reason or "" }}</td>
    </tr>
  {% endfor %}
  </tbody>"""
_number = st.one_of(st.integers(0, 5000), st.integers(0, 5000).map(np.int64))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 4000), _number, _number,
                               st.one_of(_text, st.floats(0, 1).map(lambda p: f"{p:.2f}"))), max_size=6))
def test_the_python_survival_rows_write_the_loop_s_html(app, rows):
    jinja = app.jinja_env.from_string(JINJA_SURVIVAL_ROWS).render(rows=rows)
    python = app.jinja_env.from_string("""<tbody class="govuk-table__body">
  {{ rows | survival_rows }}
  </tbody>""").render(rows=rows)
    assert python == jinja


@settings(max_examples=200, deadline=None)
@given(members=st.lists(st.builds(
    Named, id=st.integers(1, 99), display_name=_text, arm=st.sampled_from(["intervention", "comparison", None]),
    in_post=st.booleans(), left_on=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))),
    leaver_category=st.one_of(st.none(), st.just(""), st.sampled_from(list(CATEGORY_LABELS))),
    leaving_reason=st.one_of(st.none(), _text)), max_size=6))
def test_the_python_retention_rows_write_the_loop_s_html(app, members):
    arguments = dict(members=members, category_labels=CATEGORY_LABELS)
    jinja = app.jinja_env.from_string(JINJA_RETENTION_ROWS).render(**arguments)
    python = app.jinja_env.from_string("""<tbody class="govuk-table__body">
  {{ members | retention_rows(category_labels) }}
  </tbody>""").render(**arguments)
    assert python == jinja


# The participant flow's loops as they were written in Jinja (templates/outcomes/flow.html and
# _consort.html before the filters ``flow_stages`` and ``consort_drawing``), with what follows them.
JINJA_FLOW_STAGES = """  {% for box in boxes %}
  <li class="app-flow__stage">
    <h2 class="govuk-heading-s app-flow__title">{{ box.stage }}</h2>
    {% if "all" in box.counts %}
    <p class="govuk-body app-flow__box"{% if box.key %} data-stage="{{ box.key }}" data-arm="all" data-count="{{ box.counts['all'] }}"{% endif %}>{{ box.counts["all"] | plural("person", "people") }}</p>
    {% else %}
    <div class="app-flow__arms">
      {% for arm in ("intervention", "comparison") %}{% set count = box.counts[arm] %}
      <p class="govuk-body app-flow__box"{% if box.key %} data-stage="{{ box.key }}" data-arm="{{ arm }}" data-count="{{ count }}"{% endif %}><span class="govuk-caption-s">{{ arm | capitalize }}</span> {% if count is string %}<span class="govuk-!-font-weight-regular govuk-!-font-size-19">{{ count | capitalize }}</span>{% else %}{{ count }}{% endif %}</p>
      {% endfor %}
    </div>
    {% endif %}
  </li>
  {% endfor %}
</ol>"""
JINJA_CONSORT_DRAWING = """  {% for x1, y1, x2, y2 in diagram.arrows %}
  <line x1="{{ x1 }}" y1="{{ y1 }}" x2="{{ x2 }}" y2="{{ y2 - 2 }}" class="app-consort__arrow" stroke="#0b0c0c" stroke-width="2" marker-end="url(#consort-arrow)"/>
  {% endfor %}
  {% for box in diagram.boxes %}
  <g class="app-consort__box">
    <rect x="{{ box.x + 1 }}" y="{{ box.y + 1 }}" width="{{ box.width - 2 }}" height="{{ box.height - 2 }}" fill="#ffffff" stroke="#0b0c0c" stroke-width="2"/>
    {% for line in box.lines %}
    <text x="{{ box.x + 12 }}" y="{{ box.y + 12 + 22 * loop.index - 6 }}" font-size="15" fill="#0b0c0c"{% if loop.first and box.lines | length > 1 %} font-weight="bold"{% endif %}>{% if line.key %}{{ line.label }}: <tspan font-weight="bold" data-stage="{{ line.key }}" data-arm="{{ line.arm }}">{{ line.count | capitalize if line.count is string else line.count }}</tspan>{% else %}{{ line.label }}{% endif %}</text>
    {% endfor %}
  </g>
  {% endfor %}
</svg>"""
_count = st.one_of(st.integers(0, 20000), st.sampled_from(["not invited", "not recorded yet"]), _text)
_key = st.one_of(st.just(""), _text)


@settings(max_examples=200, deadline=None)
@given(boxes=st.lists(st.builds(
    FlowBox, stage=_text, key=_key,
    counts=st.one_of(st.fixed_dictionaries({"all": st.integers(0, 20000)}),
                     st.fixed_dictionaries({"intervention": _count, "comparison": _count}))), max_size=5))
def test_the_python_flow_stages_write_the_loop_s_html(app, boxes):
    jinja = app.jinja_env.from_string(JINJA_FLOW_STAGES).render(boxes=boxes)
    python = app.jinja_env.from_string("  {{ boxes | flow_stages }}\n</ol>").render(boxes=boxes)
    assert python == jinja


_line = st.builds(Line, label=_text, count=st.one_of(st.none(), _count), key=_key,
                  arm=st.sampled_from(["intervention", "comparison", "all", "<&>"]))
_coordinate = st.integers(-50, 1000)


@settings(max_examples=200, deadline=None)
@given(diagram=st.builds(
    Diagram, boxes=st.lists(st.builds(Box, x=_coordinate, y=_coordinate, width=_coordinate,
                                      lines=st.lists(_line, max_size=4)), max_size=4),
    arrows=st.lists(st.tuples(_coordinate, _coordinate, _coordinate, _coordinate), max_size=4),
    width=_coordinate, height=_coordinate))
def test_the_python_consort_drawing_writes_the_loops_svg(app, diagram):
    jinja = app.jinja_env.from_string(JINJA_CONSORT_DRAWING).render(diagram=diagram)
    python = app.jinja_env.from_string("  {{ diagram | consort_drawing }}\n</svg>").render(diagram=diagram)
    assert python == jinja
