"""Tables written in Python. The GOV.UK table of ``templates/macros/ui.html`` (its ``table`` macro), written in Python: a
list of 50 rows is 200 cells, and a Jinja loop costs several times a Python one per cell. The
HTML is the macro's own, character for character (``tests/unit/test_tables.py`` renders the
macro's Jinja text beside it). So are the retention page's rows and the participant flow's
stages and diagram, for the same reason."""
from typing import TYPE_CHECKING

from flask import Flask
from markupsafe import Markup, escape

from trainer.numbers import not_shown
from trainer.wording import plural

if TYPE_CHECKING:
    from trainer.services.outcomes.consort import Diagram
    from trainer.services.outcomes.evaluation import FlowBox
    from trainer.services.outcomes.retention import Named
    from trainer.services.ratings.ratings_compare import ComparisonRow

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
    ``compare_cells``, ``survival_rows``, ``retention_rows``, ``flow_stages`` and
    ``consort_drawing`` the filters that write the comparison's row cells, the retention page's
    rows and the participant flow's stages and diagram."""
    app.jinja_env.globals["html_table"] = table
    app.jinja_env.filters["compare_cells"] = compare_cells
    app.jinja_env.filters["survival_rows"] = survival_rows
    app.jinja_env.filters["retention_rows"] = retention_rows
    app.jinja_env.filters["flow_stages"] = flow_stages
    app.jinja_env.filters["consort_drawing"] = consort_drawing
