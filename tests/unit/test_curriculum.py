"""Loading the curriculum from module files: validation, all-or-nothing, idempotent."""
import shutil
from pathlib import Path

import pytest

from tests.conftest import MODULES_DIR
from trainer.extensions import db
from trainer.models import Activity, Module
from trainer.services.scheduling import curriculum

GOOD = '''
key = "alpha"
position = 1
title = "Alpha"
summary = "A module."
aims = ["An aim"]
evidence_note = "Some evidence."
default_minutes = 60

[[activities]]
key = "one"
title = "One"
instructions = "Do one."
suggested_minutes = 10
  [[activities.fields]]
  name = "how"
  label = "How was it?"
  kind = "scale"
  min = 1
  max = 5
  min_label = "Bad"
  max_label = "Good"

[[activities]]
key = "two"
title = "Two"
instructions = "Do two."
suggested_minutes = 20
  [[activities.fields]]
  name = "what"
  label = "What?"
  kind = "choice"
  choices = ["a", "b"]
'''


def _dir_with(tmp_path: Path, **files: str) -> Path:
    for name, body in files.items():
        (tmp_path / f"{name}.toml").write_text(body)
    return tmp_path


def test_the_six_shipped_modules_load_with_their_activities(app):
    counts = curriculum.load_modules(MODULES_DIR)
    modules = curriculum.list_modules()
    assert counts["modules_created"] == 6
    assert [m.key for m in modules] == ["peer-support", "goal-setting", "self-knowledge",
                                        "cognitive-behavioural", "mindfulness", "critical-reflection"]
    assert all(len(m.activities) >= 2 for m in modules)
    kinds = {f["kind"] for m in modules for a in m.activities for f in a.fields}
    assert kinds == set(curriculum.FIELD_KINDS)


def test_reloading_is_idempotent(app):
    curriculum.load_modules(MODULES_DIR)
    ids = {m.key: m.id for m in curriculum.list_modules()}
    counts = curriculum.load_modules(MODULES_DIR)
    assert counts["modules_created"] == 0 and counts["modules_updated"] == 6
    assert {m.key: m.id for m in curriculum.list_modules()} == ids
    assert db.session.scalar(db.select(db.func.count(Module.id))) == 6


def test_edits_update_in_place_and_removed_activities_are_retired(app, tmp_path):
    directory = _dir_with(tmp_path, alpha=GOOD)
    curriculum.load_modules(directory)
    edited = GOOD.replace('title = "Alpha"', 'title = "Alpha, revised"')
    edited = edited[:edited.index('[[activities]]\nkey = "two"')] + '''[[activities]]
key = "three"
title = "Three"
instructions = "Do three."
suggested_minutes = 5
  [[activities.fields]]
  name = "when"
  label = "When?"
  kind = "date"
'''
    (directory / "alpha.toml").write_text(edited)
    curriculum.load_modules(directory)
    module = curriculum.get_module("alpha")
    assert module.title == "Alpha, revised"
    assert {a.key: a.retired for a in module.activities} == {"one": False, "two": True, "three": False}


@pytest.mark.parametrize("change, expected", [
    (lambda s: s.replace('key = "alpha"', 'key = "Alpha Module"'), "alpha.toml: key:"),
    (lambda s: s.replace('title = "Alpha"\n', ''), "alpha.toml: title: is missing"),
    (lambda s: s.replace('default_minutes = 60', 'default_minutes = "sixty"'), "default_minutes"),
    (lambda s: s.replace('aims = ["An aim"]', 'aims = []'), "alpha.toml: aims"),
    (lambda s: s.replace('kind = "scale"', 'kind = "slider"'), "activities[1].fields[1].kind"),
    (lambda s: s.replace('max = 5', 'max = 50'), "at most 11 points"),
    (lambda s: s.replace('min = 1\n', 'min = 7\n'), "min must be less than max"),
    (lambda s: s.replace('choices = ["a", "b"]', 'choices = ["a"]'), "activities[2].fields[1].choices"),
    (lambda s: s.replace('key = "two"', 'key = "one"'), "repeats the activity key"),
    (lambda s: s.replace('suggested_minutes = 20', 'sugested_minutes = 20'), "sugested_minutes: is not a known"),
    (lambda s: s + "\nthis is = not toml [", "is not valid TOML"),
    (lambda s: s[:s.index('[[activities]]\nkey = "two"')], "at least two [[activities]]"),
])
def test_a_bad_file_names_the_file_and_field_and_nothing_is_loaded(app, tmp_path, change, expected):
    good_two = GOOD.replace('key = "alpha"', 'key = "beta"').replace("position = 1", "position = 2")
    directory = _dir_with(tmp_path, alpha=change(GOOD), beta=good_two)
    with pytest.raises(curriculum.CurriculumError) as err:
        curriculum.load_modules(directory)
    assert any(expected in problem for problem in err.value.problems), err.value.problems
    assert db.session.scalar(db.select(db.func.count(Module.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Activity.id))) == 0


def test_two_files_with_the_same_key_are_refused(app, tmp_path):
    directory = _dir_with(tmp_path, alpha=GOOD, alpha_copy=GOOD.replace("position = 1", "position = 2"))
    with pytest.raises(curriculum.CurriculumError, match="also used by"):
        curriculum.load_modules(directory)


def test_load_modules_command_reports_problems_and_exits_nonzero(app, runner, tmp_path):
    directory = _dir_with(tmp_path, alpha=GOOD.replace('kind = "scale"', 'kind = "slider"'))
    result = runner.invoke(args=["load-modules", "--directory", str(directory)])
    assert result.exit_code == 1
    assert "Nothing was loaded" in result.output and "alpha.toml" in result.output


def test_load_modules_command_loads_the_shipped_curriculum(app, runner, tmp_path):
    shutil.copytree(MODULES_DIR, tmp_path / "m")
    result = runner.invoke(args=["load-modules", "--directory", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    assert "Loaded 6 modules (6 new, 0 updated)" in result.output
