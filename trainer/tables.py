"""Tables written in Python. The GOV.UK table of ``templates/macros/ui.html`` (its ``table`` macro), written in Python: a
list of 50 rows is 200 cells, and a Jinja loop costs several times a Python one per cell. The
HTML is the macro's own, character for character (``tests/unit/test_tables.py`` renders the
macro's Jinja text beside it)."""
from typing import TYPE_CHECKING

from flask import Flask
from markupsafe import Markup, escape

from trainer.numbers import not_shown

if TYPE_CHECKING:
    from trainer.services.participation.progress import CohortProgress
    from trainer.services.ratings.ratings_compare import ComparisonRow
    from trainer.services.scheduling.attendance import RegisterLine

_NUMERIC_HEADER = " govuk-table__header--numeric"
_NUMERIC_CELL = " govuk-table__cell--numeric"


def table(caption, head, rows, numeric_cols=(), first_cell_is_header=False, scroll=True) -> Markup:
    """A GOV.UK table. head: header texts; rows: sequences of cells (None shows as blank);
    numeric_cols: 0-based column indexes to right-align; first_cell_is_header: each row's first
    cell becomes a row header; scroll: wrap in a labelled, focusable region that scrolls sideways
    on a phone instead of widening the page. Text is escaped unless it is Markup."""
    out = []
    if scroll:
        out.append(f'\n<div class="app-table-scroll" role="region" tabindex="0" aria-label="{escape(caption or "Table")}">')
    out.append('\n<table class="govuk-table">')
    if caption:
        out.append(f'\n  <caption class="govuk-table__caption govuk-table__caption--m">{escape(caption)}</caption>')
    if head:
        out.append('\n  <thead class="govuk-table__head">\n    <tr class="govuk-table__row">')
        for i, text in enumerate(head):
            numeric = _NUMERIC_HEADER if i in numeric_cols else ""
            out.append(f'\n      <th scope="col" class="govuk-table__header{numeric}">{escape(text)}</th>')
        out.append("\n    </tr>\n  </thead>")
    out.append('\n  <tbody class="govuk-table__body">')
    for row in rows:
        out.append('\n    <tr class="govuk-table__row">')
        for i, value in enumerate(row):
            text = "" if value is None else escape(value)
            if i == 0 and first_cell_is_header:
                numeric = _NUMERIC_HEADER if i in numeric_cols else ""
                out.append(f'\n      <th scope="row" class="govuk-table__header{numeric}">{text}</th>')
            else:
                numeric = _NUMERIC_CELL if i in numeric_cols else ""
                out.append(f'\n      <td class="govuk-table__cell{numeric}">{text}</td>')
        out.append("\n    </tr>")
    out.append("\n  </tbody>\n</table>")
    if scroll:
        out.append("\n</div>")
    return Markup("".join(out))


_COMPARE_CELL = '\n      <td class="govuk-table__cell govuk-table__cell--numeric">\n        '
_COMPARE_CELL_END = '\n      </td>\n      '


def compare_cells(row: "ComparisonRow") -> Markup:
    """A comparison row's programme cells as HTML (the filter ``compare_cells`` of the comparison
    page; a Jinja loop over 200 programmes' cells cost more than the rest of the page): the mean, its CI and n of a shown figure
    (5 or more raters, so never missing), "No ratings", or why it is not shown."""
    parts = []
    for shown, mean, ci, n, reason in row.cell_texts:
        if shown:
            inner = f'{mean}<br><span class="govuk-body-s">{ci}<br>n = {n}</span>\n        '
        elif n == 0:
            inner = '<span class="govuk-body-s">No ratings</span>\n        '
        else:
            inner = f'<span class="govuk-body-s">{not_shown(reason)}</span>'
        parts.append(_COMPARE_CELL + inner + _COMPARE_CELL_END)
    return Markup("".join(parts))


# What markupsafe's escape does to a plain string, as a translation table: a module cell is
# escaped with it, the same text for a fraction of the cost (a page has a thousand cells).
_ESCAPES = str.maketrans({"&": "&amp;", ">": "&gt;", "<": "&lt;", "'": "&#39;", '"': "&#34;"})
_NUMBER_CELL = '<td class="govuk-table__cell govuk-table__cell--numeric">'
_NEXT_CELL = "\n      " + _NUMBER_CELL
_BETWEEN_MODULE_CELLS = "</td>" + _NUMBER_CELL


def progress_rows(table: "CohortProgress") -> Markup:
    """The cohort progress table's body rows as HTML (the filter ``progress_rows`` of
    ``activities/progress.html``; its Jinja loop wrote 50 rows of some 25 cells each, and cost
    more than the rest of the page): per row the name and team, done over assigned, the last
    date logged ("Never" when none), the minutes, goals set and reviewed, and each module's
    cell; "No participants match." across every column when the page has no rows.

    Text is escaped as the template escaped it; the numbers are written as they are (their
    digits need no escaping).
    """
    if not table.rows:
        return Markup('\n    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="'
                      f'{5 + len(table.modules)}">No participants match.</td></tr>\n  ')
    parts = []
    for row in table.rows:
        member = row.membership
        team = f'<br><span class="govuk-hint">{escape(member.team)}</span>' if member.team else ""
        last = escape(row.last_logged.strftime("%-d %b %Y")) if row.last_logged else "Never"
        cells = (_NUMBER_CELL + _BETWEEN_MODULE_CELLS.join([cell.translate(_ESCAPES) for cell in row.module_cells])
                 + "</td>") if row.module_cells else ""
        parts.append(f'\n    <tr class="govuk-table__row">\n      <th scope="row" class="govuk-table__header">'
                     f'{escape(member.name)}{team}</th>'
                     f'{_NEXT_CELL}{row.done}/{row.assigned}</td>{_NEXT_CELL}{last}</td>'
                     f'{_NEXT_CELL}{row.minutes}</td>{_NEXT_CELL}{row.goals_set} / {row.goals_reviewed}</td>'
                     f'\n      {cells}\n    </tr>\n  ')
    return Markup("".join(parts))


def register_lines(lines: list["RegisterLine"], radios: dict, blocks: list[dict]) -> Markup:
    """The attendance register's lines as HTML (the filter ``register_lines`` of
    ``schedule/attendance.html``; its Jinja loop over 50 lines cost more than the rest of the
    page): per line the name (and apology), the day's radio group and, when the day has more
    than one session, each session's choice.

    ``radios`` and ``blocks`` are the variants the template writes once from its macros: the
    radio group per mark shown (None: no mark), with "@field@" for the field's name; and per
    session, its choice per mark chosen ("": same as the day), with NUL for the membership id.
    A line puts its own in with ``str.replace``, which is what Markup's ``replace`` does with
    text that needs no escaping (digits, and the field's ``day-<id>``).
    """
    unmarked, parts = radios[None], []
    for line in lines:
        row, mid = line.row, str(line.id)
        name = escape(row.membership.name)
        apology = row.apology
        if apology:
            reason = f": {escape(apology.reason)}" if apology.reason else ""
            name_html = f'{name}<span class="govuk-hint govuk-!-margin-bottom-0">Sent apologies{reason}</span>'
        else:
            name_html = name
        radio = str(radios.get(line.mark, unmarked)).replace("@field@", line.field)
        if line.sessions:
            choices = "".join([str((variants := blocks[i]).get(s.chosen, variants[""])).replace("\0", mid)
                               for i, s in enumerate(line.sessions)])
            sessions = (f'\n    <details class="govuk-details app-register__sessions"{" open" if line.open else ""}>'
                        '\n      <summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
                        f'Sessions<span class="govuk-visually-hidden"> for {name}</span></span></summary>'
                        f'\n      <div class="govuk-details__text">\n      {choices}\n      </div>\n    </details>\n    ')
        else:
            sessions = ""
        parts.append(f'\n  \n  <div class="app-register__row">\n    <div class="app-register__name" id="name-{mid}">'
                     f'{name_html}\n    </div>\n    <div class="app-register__choices" role="radiogroup" '
                     f'aria-labelledby="name-{mid}">\n      {radio}\n    </div>\n    {sessions}\n  </div>\n  ')
    return Markup("".join(parts))


def init_app(app: Flask) -> None:
    """Make ``table`` the template global ``html_table``, which the ``table`` macro calls, and
    ``compare_cells``, ``progress_rows`` and ``register_lines`` the filters that write a
    comparison row's cells, the cohort progress table's rows and the register's lines."""
    app.jinja_env.globals["html_table"] = table
    app.jinja_env.filters["compare_cells"] = compare_cells
    app.jinja_env.filters["progress_rows"] = progress_rows
    app.jinja_env.filters["register_lines"] = register_lines
