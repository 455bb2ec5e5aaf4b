"""The cohort progress table's rows and the attendance register's lines, written in Python
(``tables.progress_rows`` and ``tables.register_lines``), are the HTML their templates' Jinja
loops wrote, character for character, whatever the names, teams, apologies, marks and sessions."""
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.services.participation.progress import CohortProgress, Member, ParticipantProgress
from trainer.services.scheduling.attendance import Participant, Register, SentApology, SheetRow

# The progress table's body as templates/activities/progress.html wrote it before progress_rows.
PROGRESS_LOOP = """  <tbody class="govuk-table__body">
  {% for r in table.rows %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">{{ r.membership.name }}{% if r.membership.team %}<br><span class="govuk-hint">{{ r.membership.team }}</span>{% endif %}</th>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ r.done }}/{{ r.assigned }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ r.last_logged.strftime("%-d %b %Y") if r.last_logged else "Never" }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ r.minutes }}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric">{{ r.goals_set }} / {{ r.goals_reviewed }}</td>
      {% for cell in r.module_cells %}<td class="govuk-table__cell govuk-table__cell--numeric">{{ cell }}</td>{% endfor %}
    </tr>
  {% else %}
    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{{ 5 + table.modules | length }}">No participants match.</td></tr>
  {% endfor %}
  </tbody>"""
PROGRESS_NOW = """  <tbody class="govuk-table__body">
  {{ table | progress_rows }}
  </tbody>"""

# The register's variants as the template writes them, then its lines as the loop of
# templates/schedule/attendance.html wrote them before register_lines, and as they are written now.
VARIANTS = """{% set options = {} %}{% for chosen in [""] + labels | list %}{% set _ = options.update({chosen: session_options(chosen)}) %}{% endfor %}{% set radios = {} %}{% for mark in [none] + labels | list %}{% set _ = radios.update({mark: day_choices("@field@", mark)}) %}{% endfor %}{% set blocks = [] %}{% for _sid, prefix, heading in register.heads %}{% set variants = {} %}{% for chosen, html in options.items() %}{% set _ = variants.update({chosen: session_choice(prefix ~ "\\0", heading, html)}) %}{% endfor %}{% set _ = blocks.append(variants) %}{% endfor -%}
"""
REGISTER_LOOP = VARIANTS + """  {% for line in lines %}
  {% set row, mid, field, mark = line.row, line.id, line.field, line.mark %}
  <div class="app-register__row">
    <div class="app-register__name" id="name-{{ mid }}">{{ row.membership.name }}
      {%- if row.apology %}<span class="govuk-hint govuk-!-margin-bottom-0">Sent apologies{% if row.apology.reason %}: {{ row.apology.reason }}{% endif %}</span>{% endif %}
    </div>
    <div class="app-register__choices" role="radiogroup" aria-labelledby="name-{{ mid }}">
      {{ radios.get(mark, radios[none]) | replace("@field@", field) }}
    </div>
    {% if line.sessions %}
    <details class="govuk-details app-register__sessions"{% if line.open %} open{% endif %}>
      <summary class="govuk-details__summary"><span class="govuk-details__summary-text">Sessions<span class="govuk-visually-hidden"> for {{ row.membership.name }}</span></span></summary>
      <div class="govuk-details__text">
      {% for s in line.sessions %}{% set variants = blocks[loop.index0] %}{{ variants.get(s.chosen, variants[""]) | replace("\\0", mid) }}{% endfor %}
      </div>
    </details>
    {% endif %}
  </div>
  {% endfor %}
  </div>"""
REGISTER_NOW = VARIANTS + """  {{ lines | register_lines(radios, blocks) }}
  </div>"""

_text = st.text(alphabet=st.sampled_from(list("ab <>&\"'é1\0")), max_size=6)
_dates = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
_count = st.integers(0, 2000)
_participant = st.builds(
    ParticipantProgress, st.builds(Member, st.integers(1, 10**6), _text, st.one_of(st.none(), st.just(""), _text)),
    done=_count, assigned=_count, last_logged=_dates, minutes=_count, goals_set=_count, goals_reviewed=_count,
    module_cells=st.lists(st.one_of(st.builds("{}/{}".format, _count, _count), _text), max_size=6))


def _macros(app) -> str:
    """The register template's labels and macros (everything before its blocks), which both
    loops use."""
    source = app.jinja_loader.get_source(app.jinja_env, "schedule/attendance.html")[0]
    return source[source.index("{% set labels"):source.index("{% block title %}")]


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(_participant, max_size=4), modules=st.integers(0, 6))
def test_the_progress_rows_written_in_python_are_the_template_loop_s(app, rows, modules):
    table = CohortProgress(list(range(modules)), {}, rows, [], [], None)
    before = app.jinja_env.from_string(PROGRESS_LOOP).render(table=table)
    assert app.jinja_env.from_string(PROGRESS_NOW).render(table=table) == before


_statuses = st.sampled_from([None, "", "present", "late", "absent", "excused", "bogus"])


@st.composite
def _registers(draw):
    sessions = [(sid, datetime(2026, 6, 12, draw(st.integers(8, 17)), draw(st.sampled_from([0, 30]))), draw(_text))
                for sid in draw(st.lists(st.integers(1, 10**6), unique=True, max_size=3))]
    rows, marks, session_marks = [], {}, {}
    for mid in draw(st.lists(st.integers(1, 10**6), unique=True, max_size=4)):
        apology = draw(st.one_of(st.none(), st.builds(SentApology, st.one_of(st.just(""), _text))))
        rows.append(SheetRow(Participant(mid, draw(_text), None, True), apology, None, {}))
        if (mark := draw(_statuses)) is not None:
            marks[mid] = mark
        for sid, _, _ in sessions:
            if (mark := draw(_statuses)) is not None:
                session_marks[(sid, mid)] = mark
    return Register(None, rows, [], None, None, sessions), marks, session_marks


@settings(max_examples=300, deadline=None)
@given(drawn=_registers())
def test_the_register_lines_written_in_python_are_the_template_loop_s(app, drawn):
    register, marks, session_marks = drawn
    lines = register.lines(marks, session_marks)
    macros = _macros(app)
    before = app.jinja_env.from_string(macros + REGISTER_LOOP).render(register=register, lines=lines)
    assert app.jinja_env.from_string(macros + REGISTER_NOW).render(register=register, lines=lines) == before
