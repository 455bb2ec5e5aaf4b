"""CSV safety shared by every export: one rule neutralises formula-like text."""
from trainer.services.outcomes import exports
from trainer.services.ratings import ratings_export


def test_every_export_uses_the_same_rule():
    assert ratings_export.neutralise is exports.neutralise


def test_tab_and_carriage_return_starts_are_neutralised_too():
    assert exports.neutralise("\t=1+1") == "'\t=1+1" and exports.neutralise("\r@x") == "'\r@x"


def test_numbers_and_plain_text_are_kept():
    assert [exports.neutralise(v) for v in (-3, -0.5, None, "P001", "a-b")] == ["-3", "-0.5", "", "P001", "a-b"]
