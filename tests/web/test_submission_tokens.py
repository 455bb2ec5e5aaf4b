"""One submission, one row: a form sent twice, or twice at once, creates one thing."""
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.factories import PASSWORD, make_assignment, make_day, make_goal, make_member, make_programme, make_user
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import ActivityLog, Goal, GoalReview, Programme, Submission, TrainingDay
from trainer.services.participation import peers
from trainer.services.system import submissions


@pytest.fixture
def world(app, modules):
    programme = make_programme("Autumn cohort", start=date(2025, 9, 1), status="running")
    lead = make_member(programme, "lead", user=make_user("lead@example.org"))
    me = make_member(programme, user=make_user("me@example.org"))
    make_user("root@example.org", is_admin=True)
    day = make_day(programme, date(2025, 10, 1))
    mind = make_assignment(programme, modules["mindfulness"].activities[0], due_on=date(2099, 1, 1))
    goal = make_goal(me, "Leave on time")
    peers.form_group(lead.user, programme, [me.id, make_member(programme).id])
    return programme, lead, me, day, mind, goal


def _token(html: str) -> str:
    match = re.search(r'name="submission_token" value="([^"]+)"', html)
    assert match, "the form has no submission token"
    return match.group(1)


CREATE_FORMS = [  # (who, page of the form)
    ("me", "/programmes/{p}/my/assignments/{a}/log"), ("me", "/programmes/{p}/my/goals/new"),
    ("me", "/programmes/{p}/my/goals/{g}"), ("me", "/programmes/{p}/my/peers"),
    ("root", "/admin/users/invite"), ("lead", "/programmes/new"), ("lead", "/programmes/{p}/copy"),
    ("lead", "/programmes/{p}/team"), ("lead", "/programmes/{p}/cohort/"),
    ("lead", "/programmes/{p}/cohort/import"), ("lead", "/programmes/{p}/cohort/randomise"),
    ("lead", "/programmes/{p}/days/new"), ("lead", "/days/{d}/sessions/new"),
    ("lead", "/programmes/{p}/waves/new"), ("lead", "/programmes/{p}/information"),
]


@pytest.mark.parametrize("who, page", CREATE_FORMS)
def test_every_create_form_carries_a_fresh_one_time_token(client, auth, world, who, page):
    programme, _, _, day, mind, goal = world
    if page.endswith("/randomise"):
        programme.status = "scheduled"  # randomisation is offered only before training starts
        db.session.commit()
    auth.login(f"{who}@example.org")
    url = page.format(p=programme.id, a=mind.id, g=goal.id, d=day.id)
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200
    assert _token(first.get_data(as_text=True)) != _token(second.get_data(as_text=True))


def test_a_replayed_goal_form_creates_one_goal_and_redirects_to_it(client, auth, world):
    programme, _, me, *_ = world
    auth.login("me@example.org")
    url = f"/programmes/{programme.id}/my/goals/new"
    data = {"what": "Take a lunch break", "submission_token": _token(client.get(url).get_data(as_text=True))}
    first, again = client.post(url, data=data), client.post(url, data=data)
    goal = db.session.scalar(select(Goal).where(Goal.what == "Take a lunch break"))
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"] == \
        f"/programmes/{programme.id}/my/goals/{goal.id}"
    assert db.session.scalar(select(func.count()).select_from(Goal).where(Goal.what == data["what"])) == 1
    # A fresh form (a new token) is a new goal.
    data["submission_token"] = _token(client.get(url).get_data(as_text=True))
    client.post(url, data=data)
    assert db.session.scalar(select(func.count()).select_from(Goal).where(Goal.what == data["what"])) == 2


def test_a_refused_submission_leaves_its_token_unused(client, auth, world):
    programme, *_ = world
    auth.login("me@example.org")
    url = f"/programmes/{programme.id}/my/goals/{world[5].id}"
    token = _token(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"progress": "250", "submission_token": token})
    assert refused.status_code == 200 and "between 0 and 100" in refused.get_data(as_text=True)
    assert client.post(url, data={"progress": "50", "submission_token": token}).status_code == 302
    assert client.post(url, data={"progress": "50", "submission_token": token}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(GoalReview)) == 1


def test_a_replayed_training_day_redirects_to_the_first_days_sessions(client, auth, world):
    programme, *_ = world
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/days/new"
    data = {"day": "2025-11-05", "starts_at": "09:30", "ends_at": "16:00", "venue": "Town hall",
            "submission_token": _token(client.get(url).get_data(as_text=True))}
    locations = {client.post(url, data=data).headers.get("Location") for _ in range(3)}
    day = db.session.scalar(select(TrainingDay).where(TrainingDay.day == date(2025, 11, 5)))
    assert locations == {f"/days/{day.id}/sessions/new"}


def test_a_replayed_invitation_invites_once_and_says_so(client, auth, world):
    auth.login("root@example.org")
    data = {"display_name": "New Person", "email": "new@example.org",
            "submission_token": _token(client.get("/admin/users/invite").get_data(as_text=True))}
    first = client.post("/admin/users/invite", data=data)
    assert first.status_code == 200 and "/set-password/" in first.get_data(as_text=True)
    again = client.post("/admin/users/invite", data=data, follow_redirects=True)
    assert "already sent, so nothing more was saved" in again.get_data(as_text=True)
    assert "/set-password/" not in again.get_data(as_text=True)


def test_another_users_token_is_refused(app, world):
    _, lead, me, *_ = world
    submissions.submit_once("tok-1", me.user_id, lambda: 1, lambda _r: "/first")
    assert submissions.submit_once("tok-1", me.user_id, lambda: 2, lambda _r: "/second").url == "/first"
    with pytest.raises(RuleViolation):
        submissions.submit_once("tok-1", lead.user_id, lambda: 3, lambda _r: "/third")
    assert db.session.scalar(select(Submission.result_url)) == "/first"


class _Browser:
    """A cookie-keeping HTTP client that does not follow redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()),
                                                  self._NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode()


@pytest.fixture
def served(app):
    """The app served over HTTP by a threaded server on loopback."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.mark.parametrize("what", ["activity log", "programme"])
def test_identical_posts_at_the_same_moment_leave_one_row(world, served, what):
    programme, _, _, _, mind, _ = world
    db.session.commit()
    if what == "activity log":
        who, url, model = "me", f"/programmes/{programme.id}/my/assignments/{mind.id}/log", ActivityLog
        data = {"status": "done", "done_on": "2025-10-02", "minutes": "10", "v_practice": "Body scan",
                "v_practice_minutes": "10"}
    else:
        who, url, model = "lead", "/programmes/new", Programme
        data = {"name": "Spring cohort", "organisation": "Test Council", "timezone": "Europe/London",
                "start_date": "2026-03-01", "end_date": "2026-07-31"}
    before = db.session.scalar(select(func.count()).select_from(model))
    db.session.remove()
    browser = _Browser(served)
    assert browser.request("/login", {"email": f"{who}@example.org", "password": PASSWORD})[0] == 302
    status, _, page = browser.request(url)
    assert status == 200, page
    data["submission_token"] = _token(page)
    barrier, results = threading.Barrier(4), []

    def post():
        barrier.wait()
        results.append(browser.request(url, data))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, *_ in results] == [302] * 4, results
    assert len({location for _, location, _ in results}) == 1
    assert db.session.scalar(select(func.count()).select_from(model)) == before + 1


def test_a_replayed_information_edit_makes_one_new_version(client, auth, world):
    from trainer.models import ParticipantInformation

    programme, *_ = world
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/information"
    data = {"text": "What taking part means, version two.",
            "submission_token": _token(client.get(url).get_data(as_text=True))}
    first, again = client.post(url, data=data), client.post(url, data=data)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"] == url
    assert db.session.scalar(select(func.count(ParticipantInformation.id)).where(
        ParticipantInformation.programme_id == programme.id)) == 1
