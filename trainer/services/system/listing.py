"""Lists that scale: search words over columns, and one page of a query with its total (two statements)."""
from dataclasses import dataclass
from math import ceil

from sqlalchemy import ARRAY, Integer, Select, bindparam, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal

from trainer.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class ListPage:
    """One page of a list: its items, how many match in all, and where the page is."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at least one)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first item among all matches (0 when there are none)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of the page's last item among all matches."""
        return self.first + len(self.items) - 1 if self.items else 0


def matching(query: Select, text: str | None, *columns) -> Select:
    """``query`` narrowed to rows where every word of ``text`` is in one of ``columns`` (any case)."""
    for word in (text or "").split()[:8]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    return query


def paginate(source: Select | list, *, page: int = 1, per_page: int = PER_PAGE,
             rows: bool = False, total: int | None = None, params: dict | None = None) -> ListPage:
    """Page ``page`` (from 1; out-of-range pages are clamped) of a query's rows or of a list.

    A query costs one statement for the total and one for the page (plus the query's own
    eager loads), however many rows match; it must have a stable order. Its items are the
    first column of each row, or whole rows when ``rows`` is true. A caller that has counted
    the matching rows already passes ``total`` and saves the first statement; ``params`` are the
    values of the query's bound parameters (for a statement built once with ``bindparam``).
    """
    if isinstance(source, list):
        total = len(source)
    elif total is None:
        total = db.session.scalar(select(func.count()).select_from(source.order_by(None).subquery()), params)
    page = min(max(1, page), max(1, ceil(total / per_page)))
    if isinstance(source, list):
        items = source[(page - 1) * per_page:page * per_page]
    else:
        window = source.limit(per_page).offset((page - 1) * per_page)
        items = list(db.session.execute(window, params).all() if rows else db.session.scalars(window, params))
    return ListPage(items, total, page, per_page)


def page_start_sql(matches, first, per_page):
    """SQL for the offset of a page whose first row is ``first`` (0-based) among ``matches`` rows:
    ``first`` itself, or the last page's first row when ``first`` is past the end, as
    ``paginate`` clamps a page (the arguments are SQL expressions or bound parameters)."""
    return case((first < matches, first), else_=matches - 1 - (matches - 1) % per_page)


class IdsIn(ColumnElement):
    """``column IN (...)`` for the list of integers bound as ``name`` (a page's ids): an
    expanding IN, one parameter per id, except on PostgreSQL, where it is ``column = ANY(...)``
    of one array parameter.

    The SQL is the same to the planner (PostgreSQL reads an IN list as ``= ANY`` of an array),
    but fifty parameters cost the page more than the statement: SQLAlchemy writes each one
    out with its cast, and psycopg parses a statement of more than 50 parameters again on
    every execution rather than from its cache (about 1 ms a statement at 50 ids).
    """

    type = NullType()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("name", InternalTraversal.dp_string)]

    def __init__(self, column, name: str):
        self.column, self.name = column, name

    @property
    def _from_objects(self):
        return self.column._from_objects


def ids_in(column, name: str = "ids") -> IdsIn:
    """``column`` is one of the integers bound as ``name`` (see ``IdsIn``)."""
    return IdsIn(column, name)


@compiles(IdsIn)
def _expanding_in(element: IdsIn, compiler, **kw) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(IdsIn, "postgresql")
def _any_of_array(element: IdsIn, compiler, **kw) -> str:
    return compiler.process(element.column == func.any(bindparam(element.name, type_=ARRAY(Integer))), **kw)
