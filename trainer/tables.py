"""The GOV.UK table of ``templates/macros/ui.html`` (its ``table`` macro), written in Python: a
list of 50 rows is 200 cells, and a Jinja loop costs several times a Python one per cell. The
HTML is the macro's own, character for character (``tests/unit/test_tables.py`` renders the
macro's Jinja text beside it)."""
from flask import Flask
from markupsafe import Markup, escape

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


def init_app(app: Flask) -> None:
    """Make ``table`` the template global ``html_table``, which the ``table`` macro calls."""
    app.jinja_env.globals["html_table"] = table
