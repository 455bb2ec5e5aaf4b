"""memo: a bounded, least-recently-used memory, and values remembered per programme data version
only in read-only requests."""
from sqlalchemy import update

from tests.factories import make_programme
from trainer import database
from trainer.extensions import db
from trainer.models import Programme
from trainer.services.system import memo


def test_the_least_recently_used_value_is_forgotten_first():
    remembered, computed = memo.Memo(2), []

    def value(key):
        return remembered.get(key, lambda: computed.append(key) or key.upper())

    assert [value("a"), value("b"), value("a"), value("c")] == ["A", "B", "A", "C"]
    value("a")  # still there: used after b
    value("b")  # forgotten when c came
    assert computed == ["a", "b", "c", "b"]


def _counting(programme):
    calls = []

    def ask():
        return memo.remembered(programme.id, ("test",), lambda: calls.append(1) or len(calls))
    return ask, calls


def test_a_value_is_remembered_in_a_read_only_request_until_the_programme_is_written(app):
    programme = make_programme()
    db.session.commit()
    ask, calls = _counting(programme)
    token = database.read_only.set(True)
    try:
        assert ask() == ask() == 1
    finally:
        database.read_only.reset(token)
    db.session.execute(update(Programme).where(Programme.id == programme.id).values(description="Changed"))
    db.session.commit()
    token = database.read_only.set(True)
    try:
        assert ask() == ask() == 2
    finally:
        database.read_only.reset(token)


def test_nothing_is_remembered_where_the_request_may_write(app):
    programme = make_programme()
    db.session.commit()
    ask, calls = _counting(programme)
    assert [ask(), ask()] == [1, 2]
    token = database.read_only.set(True)
    try:
        assert ask() == ask() == 3  # what the writing requests computed was not kept
    finally:
        database.read_only.reset(token)


def test_values_of_an_older_version_leave_memory_at_the_next_read_of_the_programme(app):
    """An erasure moves the version: what was remembered of the erased data goes at once, not
    only when newer values push it out."""
    programme, beside = make_programme(), make_programme()
    db.session.commit()
    memo._PAGES.clear()

    def reading(*calls):
        token = database.read_only.set(True)
        try:
            return [call() for call in calls]
        finally:
            database.read_only.reset(token)

    reading(lambda: memo.remembered(programme.id, ("outcomes",), lambda: "old figures"),
            lambda: memo.remembered(programme.id, ("ratings",), lambda: "old ratings", ratings=True),
            lambda: memo.remembered(beside.id, ("outcomes",), lambda: "beside"))
    assert len(memo._PAGES._values) == 3
    db.session.execute(update(Programme).where(Programme.id == programme.id).values(description="Changed"))
    db.session.commit()
    assert reading(lambda: memo.remembered(programme.id, ("outcomes",), lambda: "new figures")) == ["new figures"]
    assert sorted(memo._PAGES._values.values()) == ["beside", "new figures"]


def test_the_page_memo_setting_off_computes_every_time(app):
    programme = make_programme()
    db.session.commit()
    ask, calls = _counting(programme)
    app.config["PAGE_MEMO"] = False
    token = database.read_only.set(True)
    try:
        assert [ask(), ask()] == [1, 2]
        assert [memo.remembered_under(("test",), lambda: calls.append(1) or len(calls)) for _ in "ab"] == [3, 4]
    finally:
        database.read_only.reset(token)
        app.config["PAGE_MEMO"] = True
