"""The CONSORT stages: withdrawals, loss to follow-up with reasons, and the diagram's layout."""
from datetime import date

from tests.factories import make_member, make_outcome_waves, make_programme, make_scores, make_user
from trainer.services.outcomes import consort, evaluation, retention
from trainer.services.privacy import withdrawal

TODAY = date(2027, 6, 1)


def test_lost_to_follow_up_excludes_withdrawals_and_gives_where_leavers_went(app):
    programme = make_programme()
    waves = make_outcome_waves(programme)
    lead = make_user()
    answered, silent, agency, gone = (make_member(programme) for _ in range(4))
    other = make_member(programme, arm="comparison")
    make_scores(answered, waves["post"], "brs", {"total": 3.0})
    retention.record_leaving(lead, programme, agency.id, date(2027, 1, 3), "", today=TODAY, category="agency")
    retention.record_leaving(lead, programme, other.id, date(2027, 1, 4), "", today=TODAY)
    withdrawal.withdraw(gone, scope="evaluation", keep_answers=False, today=date(2026, 11, 1), actor_id=None)
    rows = {key: counts for key, _label, counts in consort.lost_counts(
        [answered, silent, agency, gone, other], {answered.id})}
    assert rows == {"lost": {"intervention": 2, "comparison": 1},
                    "lost_agency": {"intervention": 1, "comparison": 0},
                    "lost_other_unknown": {"intervention": 0, "comparison": 1},
                    "lost_no_answer": {"intervention": 1, "comparison": 0}}
    withdrawn = {key: counts for key, _label, counts in consort.withdrawn_counts([answered, gone, other])}
    assert withdrawn["withdrawn_deleted"] == {"intervention": 1, "comparison": 0}
    assert withdrawn["withdrawn_kept"] == {"intervention": 0, "comparison": 0}


def test_the_diagram_draws_every_keyed_stage_of_the_flow_once_per_arm(app):
    programme = make_programme()
    make_outcome_waves(programme)
    for arm in ("intervention", "comparison", "comparison"):
        make_member(programme, arm=arm)
    boxes, diagram = evaluation.flow_with_diagram(programme)
    drawn = {(line.key, line.arm): line.count for box in diagram.boxes for line in box.lines if line.key}
    listed = {(b.key, arm): count for b in boxes if b.key for arm, count in b.counts.items()}
    assert drawn == listed
    assert drawn[("enrolled", "all")] == 3 and drawn[("allocated", "comparison")] == 2
    assert all(0 <= box.x and box.x + box.width <= diagram.width and box.y + box.height <= diagram.height
               for box in diagram.boxes)
    assert len(diagram.arrows) == len(diagram.boxes) - 1  # one into every box but the first
