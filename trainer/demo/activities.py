"""Demo step for goals and peer coaching: goals with reviews (some shared), pairs and meetings."""
from datetime import timedelta

from trainer.extensions import db
from trainer.models import Goal, GoalReview, PeerGroup, PeerGroupMember, PeerMeeting
from trainer.services.participation import peers

GOALS = [
    ("Leave work by six on at least three days a week", "To have time to recover", "My diary"),
    ("Write up visits within two working days", "So recording does not pile up", "Case system dates"),
    ("Book a monthly reflective session with my supervisor", "To learn from difficult cases",
     "Sessions in the diary"),
    ("Take a proper lunch break away from my desk twice a week", "Energy in the afternoon",
     "A tick in my planner"),
]
AGENDAS = ["Saying no to extra work without guilt", "Preparing for a difficult review meeting",
           "Keeping on top of recording", "Feedback from a manager that stung",
           "Planning the week so that visits do not crowd out write-ups"]


def goals_and_peers(ctx) -> None:
    """Goals and reviews for most intervention participants (a third shared with trainers);
    participant@demo.test has one goal due a review and one shared; everyone is paired."""
    intervention = [m for m in ctx.participants if m.arm == "intervention"]
    for index, member in enumerate(intervention):
        if member.user.email == "participant@demo.test":
            _goal(ctx, member, GOALS[0], shared=False, reviews=[(20, 35)], created_days_ago=40)
            _goal(ctx, member, GOALS[2], shared=True, reviews=[(30, 20), (5, 60)], created_days_ago=45)
            continue
        if ctx.rng.random() < 0.3:
            continue
        reviews = [(d, ctx.rng.randint(10, 90)) for d in sorted(ctx.rng.sample(range(2, 50), 2),
                                                                 reverse=True)]
        _goal(ctx, member, GOALS[index % len(GOALS)], shared=index % 3 == 0, reviews=reviews,
              created_days_ago=55)
    groups = peers.split(sorted(intervention, key=lambda m: m.id), 2)
    for g_index, members in enumerate(groups):
        group = PeerGroup(programme_id=ctx.programme.id)
        for m in members:
            group.members.append(PeerGroupMember(programme_id=ctx.programme.id, membership_id=m.id))
        db.session.add(group)
        for k in range(ctx.rng.randint(0, 3)):
            author, met_on = members[k % len(members)], ctx.today - timedelta(days=7 + 9 * k)
            if author.left_on is not None and met_on > author.left_on:
                continue
            db.session.add(PeerMeeting(
                group=group, author_id=author.id, met_on=met_on,
                minutes=ctx.rng.choice([30, 45, 60]), agenda=AGENDAS[(g_index + k) % len(AGENDAS)],
                private_note="A private note that only its author can see."))
    db.session.flush()
    ctx.lines.append(f"Goals, reviews and {len(groups)} peer-coaching groups added.")


def _goal(ctx, member, text, *, shared, reviews, created_days_ago):
    what, why, measure = text
    if member.left_on is not None:
        reviews = [(d, p) for d, p in reviews if ctx.today - timedelta(days=d) <= member.left_on]
    goal = Goal(membership=member, what=what, why=why, measure=measure, shared_with_trainer=shared,
                target_on=ctx.today + timedelta(days=60),
                created_at=ctx.now - timedelta(days=created_days_ago))
    for days_ago, progress in reviews:
        goal.reviews.append(GoalReview(reviewed_on=ctx.today - timedelta(days=days_ago),
                                       progress=progress, note="Demo review."))
    db.session.add(goal)
