"""Malformed input never yields a 500 nor reflects markup unescaped: a seeded sample of the fuzzer.

The long run (at least 5,000 submissions) is benchmarks/fuzz_forms.py.
"""
from pathlib import Path

from tests import fuzzing

MODULES = Path(__file__).resolve().parents[2] / "modules"
SEED = 20261130


def test_no_form_of_any_role_answers_malformed_input_with_a_500_or_unescaped_markup(app):
    report = fuzzing.run(app, MODULES, per_form=2, seed=SEED, max_pages=120)
    assert report.forms >= 30 and report.submissions >= 100, report.summary()
    assert report.failures == [], report.summary()
