"""Tables written in Python. The GOV.UK table of ``templates/macros/ui.html`` (its ``table`` macro), written in Python: a
list of 50 rows is 200 cells, and a Jinja loop costs several times a Python one per cell. The
HTML is the macro's own, character for character (``tests/unit/test_tables.py`` renders the
macro's Jinja text beside it)."""
from typing import TYPE_CHECKING

from flask import Flask
from markupsafe import Markup, escape

from trainer.numbers import not_shown

if TYPE_CHECKING:
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


def init_app(app: Flask) -> None:
    """Make ``table`` the template global ``html_table``, which the ``table`` macro calls, and
    ``compare_cells``, ``survival_rows`` and ``retention_rows`` the filters that write the
    comparison's row cells and the retention page's rows."""
    app.jinja_env.globals["html_table"] = table
    app.jinja_env.filters["compare_cells"] = compare_cells
    app.jinja_env.filters["survival_rows"] = survival_rows
    app.jinja_env.filters["retention_rows"] = retention_rows
