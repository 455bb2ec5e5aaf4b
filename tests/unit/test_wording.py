"""Counted nouns: one helper spells plurals right in Python and in templates."""
from flask import render_template_string

from trainer.wording import plural


def test_plural_agrees_with_the_count():
    assert plural(1, "activity", "activities") == "1 activity"
    assert plural(0, "activity", "activities") == "0 activities"
    assert plural(2, "problem") == "2 problems"
    assert plural(10001, "account") == "10,001 accounts"


def test_plural_is_a_template_filter(app):
    with app.test_request_context():
        assert render_template_string('{{ 1 | plural("try", "tries") }}, {{ 3 | plural("try", "tries") }}') \
            == "1 try, 3 tries"
