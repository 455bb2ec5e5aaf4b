"""A programme's data version moves with every committed write the remembered pages are computed
from, and with nothing else; the database's triggers cover exactly the versioned tables."""
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, text, update

from tests.factories import (make_assignment, make_day, make_log, make_mark, make_member, make_outcome_waves,
                             make_programme, make_rating, make_scores, make_session, make_wave)
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import (DayAttendance, EvaluationPlan, Membership, Module, ModuleRating, OutcomeScore,
                            OutcomeWave, Programme, RatingResponse, RatingWave, User)
from trainer.services.ratings import rating_summaries, ratings
from trainer.services.system import memo


def _version(programme) -> int:
    db.session.commit()
    return memo.version(programme.id)


@pytest.fixture
def scored(app, modules):
    """A programme with waves, two scored participants, a training day with a session and
    marks, a summary of practice and a second programme beside it."""
    programme = make_programme()
    waves = make_outcome_waves(programme)
    people = [make_member(programme) for _ in range(2)]
    for person in people:
        make_scores(person, waves["baseline"], "brs", {"total": 3.0})
    day = make_day(programme, date(2026, 9, 10))
    make_session(day, modules["mindfulness"])
    make_mark(day, people[0], "present")
    make_member(programme, "lead")
    other = make_programme()
    make_member(other)
    db.session.commit()
    return programme, waves, people, day, other


def _writes(programme, waves, people, day, modules):
    """One write of each kind the evaluation reads, by name."""
    p = programme.id
    return {
        "a new answer": lambda: make_scores(make_member(programme), waves["post"], "brs", {"total": 4.0}),
        "a score corrected": lambda: db.session.execute(update(OutcomeScore).values(value=3.5)),
        "a wave's dates": lambda: db.session.execute(
            update(OutcomeWave).where(OutcomeWave.id == waves["post"].id).values(closes_on=date(2027, 1, 5))),
        "an arm changed": lambda: db.session.execute(
            update(Membership).where(Membership.id == people[1].id).values(arm="comparison")),
        "a withdrawal": lambda: db.session.execute(
            update(Membership).where(Membership.id == people[0].id).values(withdrawn_on=date(2026, 10, 1),
                                                                          withdrawn_from="evaluation")),
        "a mark removed": lambda: db.session.execute(delete(DayAttendance)),
        "practice logged": lambda: make_log(make_assignment(programme, modules["mindfulness"].activities[0]),
                                            people[0]),
        "a session added": lambda: make_session(day, modules["peer-support"]),
        "a plan started": lambda: db.session.add(EvaluationPlan(programme_id=p)),
        "the programme renamed": lambda: db.session.execute(
            update(Programme).where(Programme.id == p).values(name="Renamed")),
        "a member renamed": lambda: db.session.execute(
            update(User).where(User.id == people[0].user_id).values(display_name="New Name")),
    }


WRITES = ("a new answer", "a score corrected", "a wave's dates", "an arm changed", "a withdrawal",
          "a mark removed", "practice logged", "a session added", "a plan started", "the programme renamed",
          "a member renamed")


@pytest.mark.parametrize("write", WRITES)
def test_each_write_the_remembered_pages_read_moves_its_programmes_version_alone(scored, modules, write):
    programme, waves, people, day, other = scored
    before, beside = _version(programme), _version(other)
    writes = _writes(programme, waves, people, day, modules)
    assert tuple(writes) == WRITES
    writes[write]()
    assert _version(programme) != before
    assert _version(other) == beside


def test_writes_the_remembered_pages_do_not_read_leave_the_version(scored, modules):
    programme, waves, people, day, other = scored
    before = _version(programme)
    make_rating(make_wave(programme, opens_on=date(2026, 9, 17)), people[0], modules["mindfulness"], 4)
    db.session.execute(update(User).where(User.id == people[0].user_id).values(last_login_at=db.func.now()))
    make_scores(make_member(other), make_outcome_waves(other)["baseline"], "brs", {"total": 2.0})
    assert _version(programme) == before
    # An assignment is read by no remembered page until somebody logs it (its summary is).
    make_assignment(programme, modules["mindfulness"].activities[0])
    assert _version(programme) == before


def test_a_rolled_back_write_leaves_the_version(scored):
    programme, waves, people, *_ = scored
    before = _version(programme)
    db.session.execute(update(Membership).where(Membership.id == people[1].id).values(arm="comparison"))
    db.session.rollback()
    assert _version(programme) == before


def test_each_programme_starts_at_its_own_random_version(app):
    versions = {memo.version(make_programme().id) for _ in range(5)}
    assert len(versions) == 5 and None not in versions


def test_a_deleted_programme_takes_its_version_with_it(scored):
    programme, *_ = scored
    db.session.execute(delete(Programme).where(Programme.id == programme.id))
    db.session.commit()
    assert memo.version(programme.id) is None


def _triggered_tables(prefix: str = "programme_version_") -> set[str]:
    """The tables with a trigger whose name starts with ``prefix``."""
    if db.engine.dialect.name == "postgresql":
        query = ("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                 "WHERE t.tgname LIKE :prefix")
    else:
        query = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :prefix"
    return set(db.session.scalars(text(query), {"prefix": prefix + "%"}))


def test_the_database_moves_the_version_on_every_versioned_table_and_no_other(app):
    # A migration that rebuilds a table (SQLite's batch mode copies it) drops its triggers: this fails then.
    assert _triggered_tables() == memo.VERSIONED_TABLES


def test_a_transaction_moves_the_version_once_on_postgresql(scored):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite moves it once a row; only its change matters")
    programme, waves, *_ = scored
    before = _version(programme)
    for _ in range(5):
        make_scores(make_member(programme), waves["post"], "brs", {"total": 4.0})
    assert _version(programme) == before + 1


def test_two_writers_of_one_programme_in_opposite_orders_both_commit_on_postgresql(scored):
    """The version's lock is taken at commit (deferred triggers): taken at each one's first write,
    A would hold it while waiting for B's row, and B wait for it while holding that row."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    programme, waves, people, *_ = scored
    before = _version(programme)
    first, second = people[0].id, people[1].id
    set_team = "UPDATE memberships SET team = :team WHERE id = :id"
    errors = []
    with db.engine.connect() as a, db.engine.connect() as b:
        for connection in (a, b):  # a wait that would never end fails the test instead
            connection.execute(text("SET lock_timeout = '10s'"))
        a.execute(text(set_team), {"team": "A", "id": first})
        b.execute(text(set_team), {"team": "B", "id": second})

        def a_goes_on():
            try:
                a.execute(text(set_team), {"team": "A", "id": second})  # waits for B's row
                a.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        waiting = threading.Thread(target=a_goes_on)
        waiting.start()
        b.commit()
        waiting.join(timeout=20)
    assert not waiting.is_alive() and errors == []
    assert _version(programme) == before + 2
    assert db.session.scalar(select(Membership.team).where(Membership.id == second)) == "A"


# The ratings version (migration l12e0rates01): the ratings report and the comparison across
# programmes are remembered against both versions, the outcome pages against the data version alone.

def _versions(programme) -> tuple[int, int]:
    db.session.commit()
    return memo.versions(programme.id)


@pytest.fixture
def rated(app, modules):
    """A programme with a wave, two participants' ratings of a module, and a second programme
    with its own wave and rating beside it."""
    programme = make_programme()
    wave = make_wave(programme, opens_on=date(2026, 9, 17))
    people = [make_member(programme) for _ in range(2)]
    for person in people:
        make_rating(wave, person, modules["mindfulness"], 4, comment="Useful")
    other = make_programme()
    make_rating(make_wave(other, opens_on=date(2026, 9, 17)), make_member(other), modules["mindfulness"], 3)
    db.session.commit()
    return programme, wave, people, other


def _rating_writes(programme, wave, people, modules):
    """One change of each kind the ratings pages read, by name."""
    rating = ModuleRating.wave_id == wave.id
    return {
        "a new rating": lambda: make_rating(wave, people[0], modules["peer-support"], 2),
        "a score changed": lambda: db.session.execute(update(ModuleRating).where(rating).values(usefulness=5)),
        "a comment changed": lambda: db.session.execute(update(ModuleRating).where(rating).values(comment="Less")),
        "a rating removed": lambda: db.session.execute(delete(ModuleRating).where(
            rating, ModuleRating.membership_id == people[0].id)),
        "a response finished": lambda: db.session.execute(update(RatingResponse).where(
            RatingResponse.wave_id == wave.id).values(finished_at=None)),
        "a wave's dates": lambda: db.session.execute(
            update(RatingWave).where(RatingWave.id == wave.id).values(closes_on=date(2026, 10, 30))),
        "a wave added": lambda: make_wave(programme, "Eight weeks", offset_days=56),
    }


RATING_WRITES = ("a new rating", "a score changed", "a comment changed", "a rating removed",
                 "a response finished", "a wave's dates", "a wave added")


@pytest.mark.parametrize("write", RATING_WRITES)
def test_each_change_of_ratings_moves_its_programmes_ratings_version_alone(rated, modules, write):
    programme, wave, people, other = rated
    before, beside = _versions(programme), _versions(other)
    writes = _rating_writes(programme, wave, people, modules)
    assert tuple(writes) == RATING_WRITES
    writes[write]()
    after = _versions(programme)
    # The data version stays: the outcome pages remembered against it are not computed again.
    assert after[1] != before[1] and after[0] == before[0]
    assert _versions(other) == beside


def test_a_module_renamed_moves_every_programmes_ratings_version(rated, modules):
    programme, _, _, other = rated
    before = [_versions(programme), _versions(other)]
    db.session.execute(update(Module).where(Module.id == modules["mindfulness"].id).values(title="Stillness"))
    after = [_versions(programme), _versions(other)]
    assert [a[1] != b[1] for a, b in zip(after, before)] == [True, True]
    assert [a[0] for a in after] == [b[0] for b in before]


def test_the_same_answers_sent_again_leave_the_ratings_version(rated, modules):
    """The rating form's upsert rewrites each row's updated_at: no page reads it."""
    programme, _, _, _ = rated
    wave = make_wave(programme, "Now", offset_days=1, opens_on=date.today() - timedelta(days=1))
    person = make_member(programme)
    make_session(make_day(programme, date.today() - timedelta(days=10)), modules["mindfulness"])
    db.session.commit()
    answers = {modules["mindfulness"].id: ("4", "Helpful")}
    ratings.save_ratings(person, wave, answers, finish=True, now=utcnow())
    before = _versions(programme)
    ratings.save_ratings(person, wave, answers, finish=True, now=utcnow() + timedelta(minutes=5))
    assert _versions(programme) == before
    assert db.session.scalar(select(ModuleRating.updated_at).where(ModuleRating.membership_id == person.id)) \
        > db.session.scalar(select(ModuleRating.submitted_at).where(ModuleRating.membership_id == person.id))
    ratings.save_ratings(person, wave, {modules["mindfulness"].id: ("3", "Helpful")}, finish=True, now=utcnow())
    assert _versions(programme)[1] != before[1]


def test_rebuilding_the_summaries_moves_every_ratings_version(rated):
    programme, _, _, other = rated
    before = [_versions(programme)[1], _versions(other)[1]]
    rating_summaries.rebuild()
    assert [_versions(programme)[1], _versions(other)[1]] == [before[0] + 1, before[1] + 1]


def test_each_programme_starts_at_its_own_random_ratings_version(app):
    started = {memo.versions(make_programme().id)[1] for _ in range(5)}
    assert len(started) == 5


def test_the_database_moves_the_ratings_version_on_every_ratings_table_and_no_other(app):
    assert _triggered_tables("ratings_version_") == memo.RATINGS_TABLES


def test_a_transaction_moves_the_ratings_version_once_on_postgresql(rated, modules):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite moves it once a row; only its change matters")
    programme, wave, *_ = rated
    before = _versions(programme)[1]
    for _ in range(5):
        make_rating(wave, make_member(programme), modules["mindfulness"], 2)
    assert _versions(programme)[1] == before + 1
