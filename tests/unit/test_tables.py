"""The table of the ``table`` macro, written in Python (``trainer/tables.py``), gives the HTML
the macro's Jinja text gave, character for character, for any caption, head and cells."""
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from trainer import tables

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
