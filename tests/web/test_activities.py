"""Activity pages: who may use them, the dynamic log form, goals, peers, and private notes."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import count_statements
from tests.factories import (make_assignment, make_day, make_goal, make_log, make_member,
                             make_programme, make_session, make_user)
from trainer.extensions import db
from trainer.models import ActivityLog, Assignment, Goal, GoalReview, PeerGroup, PeerMeeting
from trainer.services.participation import peers

SECRET = "SECRET-NOTE-do-not-show"
MEETING_SECRET = "MEETING-SECRET-do-not-show"
UNSHARED = "UNSHARED-GOAL-text"
SHARED = "SHARED-GOAL-text"


@pytest.fixture
def world(app, modules):
    programme = make_programme("Autumn cohort", start=date(2025, 9, 1), status="running")
    people = {
        "lead": make_member(programme, "lead", user=make_user("lead@example.org")),
        "trainer": make_member(programme, "trainer", user=make_user("trainer@example.org")),
        "me": make_member(programme, user=make_user("me@example.org", name="Mia Me"), team="North"),
        "peer": make_member(programme, user=make_user("peer@example.org", name="Pip Peer")),
        "comparison": make_member(programme, user=make_user("c@example.org"), arm="comparison"),
    }
    make_user("root@example.org", is_admin=True)
    make_user("stranger@example.org")
    day = make_day(programme, date(2025, 10, 1))
    make_session(day, modules["mindfulness"])
    mind = make_assignment(programme, modules["mindfulness"].activities[0], due_on=date(2099, 1, 1))
    cbt = make_assignment(programme, modules["cognitive-behavioural"].activities[0],
                          due_on=date(2025, 10, 20))
    make_log(mind, people["me"], private_note=SECRET, done_on=date(2025, 10, 2),
             values={"practice": "Body scan", "practice_minutes": 10})
    make_goal(people["me"], UNSHARED, reviews=[(date(2025, 10, 2), 40)])
    make_goal(people["me"], SHARED, shared=True)
    peers.form_group(people["lead"].user, programme, [people["me"].id, people["peer"].id])
    peers.log_meeting(people["me"], date(2025, 10, 3), 30, "Agenda line for peers", MEETING_SECRET,
                      today=date(2025, 10, 4))
    return programme, people, mind, cbt


MINE = ["/my/activities", "/my/goals", "/my/peers", "/my/assignments/{mind}", "/my/assignments/{mind}/log",
        "/my/modules/mindfulness", "/my/goals/new"]
STAFF = ["/assignments", "/progress", "/peer-groups", "/progress?sort=minutes&dir=desc&team=North"]


def _url(programme, path, mind):
    return f"/programmes/{programme.id}" + path.format(mind=mind.id)


@pytest.mark.parametrize("path", MINE)
@pytest.mark.parametrize("email, status", [
    ("me@example.org", 200), ("c@example.org", 403), ("trainer@example.org", 403),
    ("lead@example.org", 403), ("root@example.org", 403), ("stranger@example.org", 403)])
def test_participant_pages_are_for_intervention_participants(client, auth, world, path, email, status):
    programme, _, mind, _ = world
    auth.login(email)
    assert client.get(_url(programme, path, mind)).status_code == status


@pytest.mark.parametrize("path", STAFF)
@pytest.mark.parametrize("email, status", [
    ("lead@example.org", 200), ("trainer@example.org", 200), ("root@example.org", 403),
    ("me@example.org", 403), ("c@example.org", 403), ("stranger@example.org", 403)])
def test_staff_pages_are_for_leads_and_trainers_not_admins(client, auth, world, path, email, status):
    programme, _, mind, _ = world
    auth.login(email)
    assert client.get(_url(programme, path, mind)).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    programme, _, mind, _ = world
    response = client.get(_url(programme, "/my/activities", mind))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_missing_programme_is_404(client, auth, world):
    auth.login("lead@example.org")
    assert client.get("/programmes/999/progress").status_code == 404


def test_private_notes_and_unshared_goals_never_reach_staff_pages(client, auth, world):
    programme, _, mind, _ = world
    pages = [f"/programmes/{programme.id}" + p for p in STAFF + ["/progress?behind=1"]]
    pages += [f"/programmes/{programme.id}", "/", "/admin/users", "/admin/outbox", "/programmes/"]
    for email in ("lead@example.org", "trainer@example.org", "root@example.org"):
        auth.login(email)
        for url in pages:
            response = client.get(url)
            if response.status_code != 200:
                # An admin reaches no programme page without a role in it; everyone else reaches all.
                assert response.status_code == 403 and (email != "root@example.org" or "/admin/" not in url)
                continue
            page = response.get_data(as_text=True)
            assert SECRET not in page and MEETING_SECRET not in page and UNSHARED not in page, (email, url)
        auth.logout()


def test_shared_goals_show_on_the_progress_page_and_stop_when_unshared(client, auth, world):
    programme, people, *_ = world
    auth.login("trainer@example.org")
    page = client.get(f"/programmes/{programme.id}/progress").get_data(as_text=True)
    assert SHARED in page and "Mia Me" in page
    goal = db.session.scalars(select(Goal).where(Goal.what == SHARED)).one()
    auth.logout()
    auth.login("me@example.org")
    client.post(f"/programmes/{programme.id}/my/goals/{goal.id}/sharing", data={"shared": "no"})
    auth.logout()
    auth.login("trainer@example.org")
    page = client.get(f"/programmes/{programme.id}/progress").get_data(as_text=True)
    assert SHARED not in page


def test_the_author_sees_their_private_note_and_peer_sees_only_the_agenda(client, auth, world):
    programme, _, mind, _ = world
    auth.login("me@example.org")
    assert SECRET in client.get(_url(programme, "/my/assignments/{mind}", mind)).get_data(as_text=True)
    assert MEETING_SECRET in client.get(_url(programme, "/my/peers", mind)).get_data(as_text=True)
    auth.logout()
    auth.login("peer@example.org")
    page = client.get(_url(programme, "/my/peers", mind)).get_data(as_text=True)
    assert "Agenda line for peers" in page and "Mia Me" in page and MEETING_SECRET not in page
    assert SECRET not in client.get(_url(programme, "/my/assignments/{mind}", mind)).get_data(as_text=True)


def test_home_shows_due_overdue_and_module_progress(client, auth, world):
    auth.login("me@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Your activities" in page and "Overdue" in page and "Thought record" in page
    assert "Mindfulness and relaxation</a>: 1 of 1 done" in page
    assert "Review: " + UNSHARED in page


def _good_log():
    return {"status": "done", "done_on": "2025-10-05", "minutes": "17", "v_practice": "Mindful walking",
            "v_practice_minutes": "12", "v_calm_after": "4", "private_note": "mine"}


def test_a_participant_logs_an_activity_and_sees_it_in_history(client, auth, world):
    programme, people, mind, _ = world
    auth.login("me@example.org")
    response = client.post(_url(programme, "/my/assignments/{mind}/log", mind), data=_good_log())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mindful walking" in page and "12" in page


@pytest.mark.parametrize("field, value, message", [
    ("v_practice", "Yoga", "Choose one of the options"),
    ("v_practice_minutes", "500", "between 1 and 120"),
    ("v_practice_minutes", "lots", "must be a number"),
    ("v_calm_after", "9", "between 1 and 5"),
    ("v_noticed", "x" * 4001, "4000 characters or fewer"),
    ("done_on", "2099-01-01", "today or in the past"),
    ("minutes", "-5", "minutes from 0 to 1440"),
])
def test_bad_log_input_re_renders_with_messages_and_keeps_the_input(client, auth, world, field, value,
                                                                    message):
    programme, _, mind, _ = world
    auth.login("me@example.org")
    data = _good_log() | {field: value}
    response = client.post(_url(programme, "/my/assignments/{mind}/log", mind), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert 'value="2025-10-05"' in page or field == "done_on"
    assert db.session.scalar(select(ActivityLog.id).where(ActivityLog.minutes == 17)) is None


def test_date_field_kind_is_checked(client, auth, world, modules):
    programme, _, _, _ = world
    supervision = next(a for a in modules["critical-reflection"].activities if a.key == "supervision-preparation")
    assignment = make_assignment(programme, supervision)
    date_field = next(f["name"] for f in supervision.fields if f["kind"] == "date")
    auth.login("me@example.org")
    url = f"/programmes/{programme.id}/my/assignments/{assignment.id}/log"
    page = client.get(url).get_data(as_text=True)
    assert 'type="date"' in page and f'name="v_{date_field}"' in page
    response = client.post(url, data={"status": "started", "done_on": "2025-10-05",
                                      f"v_{date_field}": "2025-13-45"})
    assert "real date" in response.get_data(as_text=True)


def test_only_the_author_may_edit_or_delete_an_entry(client, auth, world):
    programme, people, mind, _ = world
    log_id = db.session.scalars(select(ActivityLog.id)).one()
    auth.login("peer@example.org")
    assert client.get(f"/programmes/{programme.id}/my/logs/{log_id}/edit").status_code == 404
    assert client.post(f"/programmes/{programme.id}/my/logs/{log_id}/delete").status_code == 404
    auth.logout()
    auth.login("me@example.org")
    edit = client.get(f"/programmes/{programme.id}/my/logs/{log_id}/edit").get_data(as_text=True)
    assert "Body scan" in edit and SECRET in edit
    client.post(f"/programmes/{programme.id}/my/logs/{log_id}/edit", data=_good_log() | {"minutes": "33"})
    assert db.session.get(ActivityLog, log_id).minutes == 33
    client.post(f"/programmes/{programme.id}/my/logs/{log_id}/delete")
    assert db.session.get(ActivityLog, log_id) is None


def test_goal_setting_and_review(client, auth, world):
    programme, *_ = world
    auth.login("me@example.org")
    base = f"/programmes/{programme.id}/my/goals"
    bad = client.post(base + "/new", data={"what": "", "target_on": "2020-01-01"}).get_data(as_text=True)
    assert "Enter what your goal is" in bad
    response = client.post(base + "/new", data={"what": "Sleep eight hours", "why": "Rest"})
    goal = db.session.scalars(select(Goal).where(Goal.what == "Sleep eight hours")).one()
    assert response.headers["Location"].endswith(f"{base}/{goal.id}") and not goal.shared_with_trainer
    bad = client.post(f"{base}/{goal.id}", data={"progress": "150"}).get_data(as_text=True)
    assert "between 0 and 100" in bad
    client.post(f"{base}/{goal.id}", data={"progress": "45", "note": "Better"})
    assert db.session.scalars(select(GoalReview.progress).where(GoalReview.goal_id == goal.id)).one() == 45
    client.post(f"{base}/{goal.id}/status", data={"status": "achieved"})
    assert db.session.get(Goal, goal.id).status == "achieved"


def test_another_participants_goal_is_not_found(client, auth, world):
    programme, *_ = world
    goal = db.session.scalars(select(Goal).where(Goal.what == UNSHARED)).one()
    auth.login("peer@example.org")
    assert client.get(f"/programmes/{programme.id}/my/goals/{goal.id}").status_code == 404
    assert client.post(f"/programmes/{programme.id}/my/goals/{goal.id}/sharing",
                       data={"shared": "yes"}).status_code == 404


def test_logging_a_peer_meeting(client, auth, world):
    programme, *_ = world
    auth.login("peer@example.org")
    url = f"/programmes/{programme.id}/my/peers"
    bad = client.post(url, data={"met_on": "2025-10-05", "agenda": ""}).get_data(as_text=True)
    assert "Enter what you worked on" in bad
    client.post(url, data={"met_on": "2025-10-05", "minutes": "20", "agenda": "Boundaries",
                           "private_note": "pip only"})
    assert db.session.scalars(select(PeerMeeting.agenda).where(PeerMeeting.private_note == "pip only")).one() \
        == "Boundaries"


def _meeting_id():
    return db.session.scalars(select(PeerMeeting.id).where(PeerMeeting.private_note == MEETING_SECRET)).one()


def test_the_author_changes_a_peer_meeting_and_the_peer_sees_the_new_line(client, auth, world):
    programme, *_ = world
    base = f"/programmes/{programme.id}/my/peers"
    meeting_id = _meeting_id()
    auth.login("me@example.org")
    page = client.get(base).get_data(as_text=True)
    assert f"/my/peers/meetings/{meeting_id}/edit" in page
    form = client.get(f"{base}/meetings/{meeting_id}/edit").get_data(as_text=True)
    assert "Agenda line for peers" in form and MEETING_SECRET in form
    bad = client.post(f"{base}/meetings/{meeting_id}/edit",
                      data={"met_on": "2025-10-03", "minutes": "30", "agenda": "", "private_note": "typed"})
    assert bad.status_code == 200
    bad_page = bad.get_data(as_text=True)
    assert "Enter what you worked on" in bad_page and "typed" in bad_page
    response = client.post(f"{base}/meetings/{meeting_id}/edit",
                           data={"met_on": "2025-10-02", "minutes": "40", "agenda": "New shared line",
                                 "private_note": MEETING_SECRET + " changed"})
    assert response.status_code == 302 and response.headers["Location"].endswith(base)
    meeting = db.session.get(PeerMeeting, meeting_id)
    assert (meeting.met_on, meeting.minutes, meeting.agenda) == (date(2025, 10, 2), 40, "New shared line")
    auth.logout()
    auth.login("peer@example.org")
    page = client.get(base).get_data(as_text=True)
    assert "New shared line" in page and MEETING_SECRET not in page
    assert f"/my/peers/meetings/{meeting_id}/edit" not in page


@pytest.mark.parametrize("email, status", [
    ("peer@example.org", 404), ("c@example.org", 403), ("trainer@example.org", 403),
    ("lead@example.org", 403), ("root@example.org", 403), ("stranger@example.org", 403)])
def test_only_the_author_may_change_or_delete_a_peer_meeting(client, auth, world, email, status):
    programme, *_ = world
    url = f"/programmes/{programme.id}/my/peers/meetings/{_meeting_id()}"
    auth.login(email)
    assert client.get(url + "/edit").status_code == status
    assert client.post(url + "/edit", data={"met_on": "2025-10-03", "agenda": "Hijack"}).status_code == status
    assert client.post(url + "/delete").status_code == status
    assert db.session.scalars(select(PeerMeeting.agenda)).one() == "Agenda line for peers"


def test_the_author_deletes_a_peer_meeting(client, auth, world):
    programme, *_ = world
    base = f"/programmes/{programme.id}/my/peers"
    meeting_id = _meeting_id()
    auth.login("me@example.org")
    response = client.post(f"{base}/meetings/{meeting_id}/delete")
    assert response.status_code == 302 and db.session.get(PeerMeeting, meeting_id) is None
    auth.logout()
    auth.login("peer@example.org")
    assert "Agenda line for peers" not in client.get(base).get_data(as_text=True)


def test_bulk_assign_and_change_due_date(client, auth, world, modules):
    programme, *_ = world
    auth.login("trainer@example.org")
    module = modules["mindfulness"]
    page = client.get(f"/programmes/{programme.id}/assignments").get_data(as_text=True)
    assert "Default due date: Wednesday 15 October 2025" in page
    client.post(f"/programmes/{programme.id}/assignments/modules/{module.id}", data={"due_on": ""})
    dues = db.session.scalars(select(Assignment.due_on).join(Assignment.activity)
                              .where(Assignment.programme_id == programme.id)).all()
    assert date(2025, 10, 15) in dues
    assignment = db.session.scalars(select(Assignment).where(Assignment.due_on == date(2025, 10, 15))).first()
    client.post(f"/programmes/{programme.id}/assignments/{assignment.id}/due", data={"due_on": "2025-11-01"})
    assert db.session.get(Assignment, assignment.id).due_on == date(2025, 11, 1)


def test_staff_cannot_change_another_programmes_assignment(client, auth, world, modules):
    programme, _, mind, _ = world
    other = make_programme()
    make_member(other, "lead", user=make_user("otherlead@example.org"))
    auth.login("otherlead@example.org")
    assert client.post(f"/programmes/{other.id}/assignments/{mind.id}/due",
                       data={"due_on": "2025-11-01"}).status_code == 404
    assert client.post(f"/programmes/{programme.id}/assignments/{mind.id}/due",
                       data={"due_on": "2025-11-01"}).status_code == 403


def test_peer_groups_shuffle_and_manual(client, auth, world):
    programme, people, *_ = world
    extra = [make_member(programme, user=make_user(name=f"Extra {i}")) for i in range(3)]
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/peer-groups"
    page = client.get(url).get_data(as_text=True)
    assert "Extra 0" in page and "Not in a group (3)" in page
    assert people["comparison"].user.display_name not in page
    client.post(url, data={"members": [str(extra[0].id), str(extra[1].id)]})
    assert len(db.session.scalars(select(PeerGroup)).all()) == 2
    response = client.post(url + "/shuffle", data={"size": "2"}, follow_redirects=True)
    assert "At least two participants" in response.get_data(as_text=True)


def test_comparison_participant_is_told_why_every_activities_page_is_closed(client, auth, world):
    programme, people, mind, _ = world
    log_id = db.session.scalars(select(ActivityLog.id)).one()
    goal_id = db.session.scalars(select(Goal.id).where(Goal.what == SHARED)).one()
    base = f"/programmes/{programme.id}"
    gets = [_url(programme, p, mind) for p in MINE] + [
        f"{base}/my/logs/{log_id}/edit", f"{base}/my/goals/{goal_id}", f"{base}/my/goals/{goal_id}/edit",
        f"{base}/my/peers/meetings/{_meeting_id()}/edit", "/modules/", "/modules/mindfulness"]
    posts = [f"{base}/my/logs/{log_id}/delete", f"{base}/my/goals/{goal_id}/status",
             f"{base}/my/peers/meetings/{_meeting_id()}/delete", f"{base}/my/assignments/{mind.id}/log"]
    auth.login("c@example.org")
    for url in gets:
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 403 and "comparison group" in page, url
        assert "This part is for the training group" in page and "ask the lead" not in page, url
        assert "Body scan" not in page and mind.activity.title not in page, url
    for url in posts:
        assert client.post(url, data={"status": "achieved"}).status_code == 403, url
    home = client.get("/").get_data(as_text=True)
    assert 'href="/modules' not in home and mind.activity.title not in home
    assert "Your wellbeing questionnaires" in home


def test_the_curriculum_stays_open_to_intervention_participants_and_staff(client, auth, world):
    for email in ("me@example.org", "trainer@example.org", "lead@example.org", "root@example.org"):
        auth.login(email)
        assert client.get("/modules/mindfulness").status_code == 200, email
        assert 'href="/modules/"' in client.get("/").get_data(as_text=True), email
        auth.logout()


def test_home_shows_the_first_five_pending_activities_and_links_to_the_rest(client, auth, world, modules):
    programme, *_ = world
    taken = {world[2].activity_id, world[3].activity_id}
    extra = [a for m in modules.values() for a in m.activities if a.id not in taken][:6]
    for n, activity in enumerate(extra):
        make_assignment(programme, activity, due_on=date(2025, 10, 1 + n))
    auth.login("me@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "7 activities are overdue" in page
    assert page.count('href="/programmes/%d/my/assignments/' % programme.id) == 5
    assert "See all your activities</a> (2 more overdue or due soon)" in page


def _grouped_programme(lead, groups: int):
    programme = make_programme()
    make_member(programme, "lead", user=lead)
    for _ in range(groups):
        pair = [make_member(programme), make_member(programme)]
        peers.form_group(lead, programme, [m.id for m in pair])
        peers.log_meeting(pair[0], date(2026, 9, 20), 30, "Agenda", "Note", today=date(2026, 9, 21))
    make_member(programme)
    return programme


def test_the_peer_groups_page_runs_as_many_statements_for_twice_the_groups(client, auth, app):
    lead = make_user("grouping-lead@example.org")
    few, many = _grouped_programme(lead, 3), _grouped_programme(lead, 6)
    few_id, many_id = few.id, many.id
    auth.login("grouping-lead@example.org")
    assert (count_statements(client, f"/programmes/{few_id}/peer-groups")
            == count_statements(client, f"/programmes/{many_id}/peer-groups"))


def test_withdraw_is_offered_only_for_activities_nobody_has_logged(client, auth, world):
    programme, _, mind, cbt = world
    auth.login("trainer@example.org")
    page = client.get(f"/programmes/{programme.id}/assignments").get_data(as_text=True)
    base = f"/programmes/{programme.id}/assignments"
    assert f'action="{base}/{cbt.id}/delete"' in page
    assert f'action="{base}/{mind.id}/delete"' not in page
    assert page.count("Participants have logged it, so it cannot be withdrawn.") == 1


def test_cohort_progress_pages_fifty_participants_keeping_sort_and_filters(client, auth, world):
    programme, people, mind, _ = world
    extra = [make_member(programme, user=make_user(f"y{n:02}@example.org", name=f"Yan {n:02}"), team="North")
             for n in range(52)]
    make_log(mind, extra[-1], done_on=date(2025, 10, 5), minutes=25)
    db.session.commit()
    auth.login("trainer@example.org")
    url = f"/programmes/{programme.id}/progress"
    page = client.get(url).get_data(as_text=True)
    assert "54 participants in the intervention group" in page and "Showing 1 to 50" in page
    assert "Mia Me" in page and "Yan 47" in page and "Yan 48" not in page
    second = client.get(f"{url}?sort=name&dir=asc&team=North&page=2").get_data(as_text=True)
    assert "53 participants" in second and "Showing 51 to 53" in second and "Yan 51" in second
    top = client.get(f"{url}?sort=minutes&dir=desc").get_data(as_text=True)
    assert top.index("Yan 51") < top.index("Mia Me")  # 25 minutes, then Mia's 15, across all pages
    assert "page=2" in top and "sort=minutes" in top.split('aria-label="Page 2"')[0].rsplit("href=", 1)[1]
