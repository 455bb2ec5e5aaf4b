"""Tables and rows written in Python where a page writes hundreds of cells: a Jinja loop costs
several times a Python one per cell. The GOV.UK table of ``templates/macros/ui.html`` (its
``table`` macro), the comparison's cells, the cohort progress table's rows, the attendance
register's lines, the retention page's rows and the participant flow's stages and diagram. Each
writes, character for character, what the Jinja text it replaced wrote (``tests/unit/test_tables.py``
and ``tests/unit/test_page_rows.py`` render that text beside it)."""
from typing import TYPE_CHECKING

from flask import Flask
from markupsafe import Markup, escape

from trainer.numbers import not_shown
from trainer.wording import plural

if TYPE_CHECKING:
    from trainer.services.outcomes.consort import Diagram
    from trainer.services.outcomes.evaluation import FlowBox
    from trainer.services.outcomes.retention import Named
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


_SURVIVAL_CELL = '\n      <td class="govuk-table__cell govuk-table__cell--numeric">'


def survival_rows(rows) -> Markup:
    """The rows of a Kaplan-Meier table on the retention page (the filter ``survival_rows``), from
    ``ArmRetention.table_text``: a row per day someone left, some hundred rows per arm in a large
    cohort, four cells each. The HTML is the Jinja loop's own (``tests/unit/test_tables.py``):
    text escaped, whole numbers (most cells) written as they are, having nothing to escape. One
    f-string per row, as a call per cell costs as much again."""
    cell = _SURVIVAL_CELL
    return Markup("".join([
        f'\n    <tr class="govuk-table__row">{cell}{day if type(day) is int else escape(day)}</td>'
        f'{cell}{at_risk if type(at_risk) is int else escape(at_risk)}</td>'
        f'{cell}{left if type(left) is int else escape(left)}</td>{cell}{escape(proportion)}</td>\n    </tr>\n  '
        for day, at_risk, left, proportion in rows]))


_RETENTION_ROW = ('\n    <tr class="govuk-table__row">' + '\n      <td class="govuk-table__cell">{}</td>' * 6
                  + "\n    </tr>\n  ")


def retention_rows(members: "list[Named]", category_labels: dict[str, str]) -> Markup:
    """The rows of the participants on the retention page (the filter ``retention_rows``): name,
    group, in post, when they left, where they went (its label in ``category_labels``) and why.
    The HTML is the Jinja loop's own (``tests/unit/test_tables.py``)."""
    labels = {key: escape(label) for key, label in category_labels.items()}
    row = _RETENTION_ROW.format
    return Markup("".join([row(escape(m.display_name), escape(str(m.arm).capitalize()),
                               "Yes" if m.in_post else "No",
                               escape(m.left_on.strftime("%-d %b %Y")) if m.left_on else "",
                               labels.get(m.leaver_category, "") if m.leaver_category else "",
                               escape(m.leaving_reason or ""))
                           for m in members]))


def _text(value) -> str:
    """``{{ value }}``'s text: escaped, but a whole number as it is, having nothing to escape
    (markupsafe's ``escape`` of a number costs ten times ``str``)."""
    return str(value) if type(value) is int else escape(value)


def _count(count) -> str:
    """A flow count as a box shows it: a phrase ("not invited") capitalised, a number as it is."""
    return escape(count.capitalize()) if isinstance(count, str) else _text(count)


def flow_stages(boxes: "list[FlowBox]") -> Markup:
    """The participant flow's list of every stage (the filter ``flow_stages``): per box its stage
    and its count for everyone or per arm, with the data attributes of a box drawn in the
    diagram. The HTML is the Jinja loop's own (``tests/unit/test_tables.py``)."""
    out = []
    for box in boxes:
        key = escape(box.key)
        out.append(f'\n  <li class="app-flow__stage">\n    <h2 class="govuk-heading-s app-flow__title">'
                   f'{escape(box.stage)}</h2>\n    ')
        counts = box.counts
        if "all" in counts:
            n = counts["all"]
            data = f' data-stage="{key}" data-arm="all" data-count="{_text(n)}"' if box.key else ""
            out.append(f'\n    <p class="govuk-body app-flow__box"{data}>{escape(plural(n, "person", "people"))}'
                       '</p>\n    \n  </li>\n  ')
            continue
        out.append('\n    <div class="app-flow__arms">\n      ')
        for arm in ("intervention", "comparison"):
            count = counts[arm]
            data = f' data-stage="{key}" data-arm="{arm}" data-count="{_text(count)}"' if box.key else ""
            shown = (f'<span class="govuk-!-font-weight-regular govuk-!-font-size-19">{_count(count)}</span>'
                     if isinstance(count, str) else _text(count))
            out.append(f'\n      <p class="govuk-body app-flow__box"{data}><span class="govuk-caption-s">'
                       f'{arm.capitalize()}</span> {shown}</p>\n      ')
        out.append('\n    </div>\n    \n  </li>\n  ')
    return Markup("".join(out))


def consort_drawing(diagram: "Diagram") -> Markup:
    """The CONSORT diagram's arrows and boxes as SVG (the filter ``consort_drawing``): a line per
    arrow, and per box its rectangle and a text per line, the first in bold when there are more,
    a stage's count in its own bold tspan. The SVG is the Jinja loops' own
    (``tests/unit/test_tables.py``)."""
    out = []
    for x1, y1, x2, y2 in diagram.arrows:
        out.append(f'\n  <line x1="{_text(x1)}" y1="{_text(y1)}" x2="{_text(x2)}" y2="{_text(y2 - 2)}" '
                   'class="app-consort__arrow" stroke="#0b0c0c" stroke-width="2" marker-end="url(#consort-arrow)"/>\n  ')
    out.append("\n  ")
    for box in diagram.boxes:
        x, y, lines = box.x, box.y, box.lines
        out.append(f'\n  <g class="app-consort__box">\n    <rect x="{_text(x + 1)}" y="{_text(y + 1)}" '
                   f'width="{_text(box.width - 2)}" height="{_text(box.height - 2)}" fill="#ffffff" '
                   'stroke="#0b0c0c" stroke-width="2"/>\n    ')
        bold = ' font-weight="bold"' if len(lines) > 1 else ""
        for number, line in enumerate(lines, start=1):
            if line.key:
                text = (f'{escape(line.label)}: <tspan font-weight="bold" data-stage="{escape(line.key)}" '
                        f'data-arm="{escape(line.arm)}">{_count(line.count)}</tspan>')
            else:
                text = escape(line.label)
            out.append(f'\n    <text x="{_text(x + 12)}" y="{_text(y + 12 + 22 * number - 6)}" font-size="15" '
                       f'fill="#0b0c0c"{bold if number == 1 else ""}>{text}</text>\n    ')
        out.append("\n  </g>\n  ")
    return Markup("".join(out))


def init_app(app: Flask) -> None:
    """Make ``table`` the template global ``html_table``, which the ``table`` macro calls, and
    ``compare_cells``, ``progress_rows``, ``register_lines``, ``survival_rows``,
    ``retention_rows``, ``flow_stages`` and ``consort_drawing`` the filters that write the
    comparison's row cells, the cohort progress table's rows, the register's lines, the retention
    page's rows and the participant flow's stages and diagram."""
    app.jinja_env.globals["html_table"] = table
    app.jinja_env.filters.update(compare_cells=compare_cells, progress_rows=progress_rows,
                                 register_lines=register_lines, survival_rows=survival_rows,
                                 retention_rows=retention_rows, flow_stages=flow_stages,
                                 consort_drawing=consort_drawing)
