"""Every heavy page runs as many SQL statements for ten times the programmes and participants."""
from sqlalchemy import select

from benchmarks.generate import ACCOUNTS, PASSWORD, Organisation
from tests.conftest import count_statements
from trainer.extensions import db
from trainer.models import Membership, OutcomeResponse, RatingWave, TrainingDay, User

# (programmes, participants in the newest programme): the base, twice and ten times as many.
SIZES = ((1, 12), (2, 24), (10, 120))


def _pages(programme_id: int, participant: str) -> dict[str, dict[str, str]]:
    """The pages of the issue by the role that sees them, for the given programme (and its
    ``participant``, an e-mail address): name -> URL."""
    p = f"/programmes/{programme_id}"
    waves = {w.label: w.id for w in db.session.scalars(
        select(RatingWave).where(RatingWave.programme_id == programme_id))}
    day = db.session.scalar(select(TrainingDay.id).where(TrainingDay.programme_id == programme_id)
                            .order_by(TrainingDay.day).limit(1))
    answered = db.session.execute(
        select(OutcomeResponse.wave_id, OutcomeResponse.instrument_key).join(Membership).join(User)
        .where(User.email == participant, Membership.programme_id == programme_id,
               OutcomeResponse.submitted_at.is_not(None)).order_by(OutcomeResponse.id).limit(1)).one()
    return {
        "lead": {"lead home": "/", "comparison": "/ratings/compare", "ratings report": f"{p}/ratings/report",
                 "outcomes evaluation": f"{p}/outcomes/", "flow": f"{p}/outcomes/flow",
                 "retention": f"{p}/outcomes/retention", "rating waves": f"{p}/waves",
                 "response tracking": f"{p}/waves/{waves['One week']}/responses",
                 # The pages that page their lists, on a later page and sorted or filtered.
                 "comparison, page 2": "/ratings/compare?page=2",
                 "retention, page 2": f"{p}/outcomes/retention?page=2"},
        "admin": {"admin home": "/"},
        "trainer": {"trainer home": "/", "cohort progress": f"{p}/progress",
                    "attendance": f"/days/{day}/attendance",
                    "cohort progress, by minutes, behind, page 2":
                        f"{p}/progress?sort=minutes&dir=desc&behind=1&page=2",
                    "cohort progress, last logged": f"{p}/progress?sort=last_logged",
                    "attendance, page 2": f"/days/{day}/attendance?page=2"},
        "participant": {"participant home": "/", "my activities": f"{p}/my/activities",
                        "my goals": f"{p}/my/goals", "my questionnaires": f"{p}/questionnaires",
                        "rating form": f"{p}/ratings/{waves['Eight weeks']}",
                        "my questionnaire result": f"{p}/questionnaires/{answered[0]}/{answered[1]}/done"},
    }


def _statements(client, auth, organisation: Organisation, programme_id: int) -> dict[str, int]:
    counts = {}
    participant = f"p{organisation.programmes}-1@bench.test"
    for role, pages in _pages(programme_id, participant).items():
        email = ACCOUNTS[role] if role != "participant" else participant
        assert auth.login(email, PASSWORD).status_code == 302
        for name, url in pages.items():
            counts[name] = count_statements(client, url)
        auth.logout()
    return counts


def test_heavy_pages_run_as_many_statements_for_ten_times_the_programmes_and_participants(
        client, auth, modules):
    organisation = Organisation(db.session.connection(), logs_per_participant=4, rating_rate=1.0)
    measured = []
    for programmes, participants in SIZES:
        organisation.use(db.session.connection())
        while organisation.programmes < programmes:
            newest = organisation.add_programme(participants)
        organisation.finish()
        db.session.commit()
        measured.append(_statements(client, auth, organisation, newest))
    base, twice, ten_times = measured
    assert len(base) == 23
    assert twice == base
    assert ten_times == base
