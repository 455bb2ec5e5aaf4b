"""Numbers on the evaluation pages, for templates (``templates/outcomes/_numbers.html``): a value
to a number of places, a CI, a p-value. Written in Python rather than as Jinja macros: a page
shows a hundred figures or more, and a macro call costs ten times a function call."""
from flask import Flask
from markupsafe import Markup, escape

DASH = "–"


def num(value, places: int = 2) -> str:
    """``value`` to ``places`` decimal places ("–" for None)."""
    return DASH if value is None else f"%.{places}f" % value


def ci(low, high) -> str:
    """A confidence interval: "low to high" ("–" when ``low`` is None)."""
    return DASH if low is None else f"{num(low)} to {num(high)}"


def pval(p) -> str | Markup:
    """A p-value to 3 places, "< 0.001" below that, "–" for None."""
    if p is None:
        return DASH
    return Markup("&lt; 0.001") if p < 0.001 else num(p, 3)


def p_is(p) -> str | Markup:
    """A p-value in a sentence: "p = 0.042", "p < 0.001" or "p not available"."""
    if p is None:
        return "p not available"
    return Markup("p &lt; 0.001") if p < 0.001 else "p = " + num(p, 3)


def not_shown(reason) -> Markup:
    """Why a figure is not shown, in a span the pages style: "Not shown: reason" (escaped)."""
    return Markup(f'<span class="app-not-shown">Not shown: {escape(reason)}</span>')


def desc_cells(cell, with_ci: bool = False) -> Markup:
    """An arm's n, mean and SD (and 95% CI with ``with_ci``) of an ``evaluation.Cell`` as table
    cells, one a line; or one cell across them saying why they are not shown."""
    # Escaped value by value, as Jinja would (Markup.format's formatter costs more than the rest).
    if cell.suppressed:
        span = 4 if with_ci else 3
        return Markup(f'<td class="govuk-table__cell" colspan="{span}">{not_shown(cell.reason)}</td>')
    d = cell.desc
    values = [cell.n, num(d.mean), num(d.sd)] + ([ci(d.ci_low, d.ci_high)] if with_ci else [])
    return Markup("\n".join([f'<td class="govuk-table__cell govuk-table__cell--numeric">{escape(v)}</td>'
                              for v in values]))


def init_app(app: Flask) -> None:
    """Make the functions above template globals (``figure_num`` and so on), which
    ``outcomes/_numbers.html`` exports under their own names."""
    app.jinja_env.globals.update(figure_num=num, figure_ci=ci, figure_pval=pval, figure_p_is=p_is,
                                 figure_not_shown=not_shown, figure_desc_cells=desc_cells)
