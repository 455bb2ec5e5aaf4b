"""Migration g15b0itt0001: leavers recorded before the categories existed become "other or unknown"."""
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.factories import make_member, make_programme
from trainer.extensions import db


def test_existing_leavers_become_other_or_unknown_and_stayers_get_no_category(app):
    programme = make_programme()
    leaver, stayer = make_member(programme), make_member(programme)
    leaver.in_post, leaver.left_on = False, date(2026, 12, 1)
    db.session.commit()
    ids = (leaver.id, stayer.id)
    db.session.remove()
    downgrade(revision="g15b0itt0001-1")  # the revision before leaver categories
    try:
        columns = [c[1] for c in db.session.execute(text("SELECT * FROM memberships LIMIT 0")).cursor.description]
        assert "leaver_category" not in columns
    finally:
        db.session.remove()
        upgrade()
    rows = dict(db.session.execute(text("SELECT id, leaver_category FROM memberships WHERE id IN (:a, :b)"),
                                   {"a": ids[0], "b": ids[1]}).all())
    assert rows == {ids[0]: "other_unknown", ids[1]: None}


def test_an_unknown_leaver_category_is_refused_by_the_database(app):
    member = make_member(make_programme())
    member.leaver_category = "retired"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
