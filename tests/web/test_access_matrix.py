"""Access, privacy and safety audit that enumerates app.url_map instead of listing pages by hand.

Two programmes with full casts are built; every route is filled with programme A's ids and tried
by everyone. Each test loops over the routes and reports every offending one in one message.
"""
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from tests.factories import (PASSWORD, make_assignment, make_day, make_goal, make_log, make_member,
                             make_outcome_waves, make_programme, make_rating, make_scores,
                             make_session, make_user, make_wave)
from trainer.extensions import db
from trainer.models import Apology, DayAttendance, GoalReview, OutboxMessage
from trainer.services.participation import peers
from trainer.services.scheduling import calendar

PUBLIC = {"auth.login", "auth.set_password", "auth.forgot_password", "home.healthz", "static", "schedule.feed", "home.index"}
NOT_PROGRAMME_SCOPED = PUBLIC | {"curriculum.module"}
STAFF_ROLES = ("lead", "trainer", "admin")
ALL_ROLES = ("lead", "trainer", "participant", "comparison", "admin", "evaluator")
B_ROLES = ("lead", "trainer", "participant", "comparison", "evaluator")
# The programme pages an evaluator reaches: the evaluation, never a page with names.
EVALUATION_PAGES = {"reports.dashboard", "reports.printable", "outcomes.evaluate", "outcomes.flow", "outcomes.plan",
                    "outcomes.retention_page", "reports.table", "outcomes.evaluation_table",
                    "costs.view", "outcomes.board"}
ANY_EXPORT = ("reports.export", "outcomes.export", "reports.table", "outcomes.evaluation_table")
EXPORT_NAMES = {"outcomes.export": ("outcomes.csv", "codebook.csv", "outcomes.R", "outcomes.sps",
                                    "itt.csv", "itt-codebook.csv", "itt.R", "itt.sps"),
                "reports.export": ("ratings", "dictionary", "comments")}
# Text a participant wrote for themselves alone; each is unique so a leak names its source.
PRIVATE = {"log_note": "PRIVLOGNOTE7f3a", "meeting_note": "PRIVMEETNOTE91c2",
           "goal_what": "PRIVGOALWHAT5d0e", "goal_why": "PRIVGOALWHY8b41",
           "goal_measure": "PRIVGOALMEASURE2e7c", "review_note": "PRIVREVIEWNOTE4a9f"}
FORMULAS = ("=HYPERLINK(\"http://x\")", "+SUM(1)", "-2+3", "@cmd")
FILLED_FORM = {"status": "done", "done_on": "2020-01-01", "minutes": "10", "what": "x", "why": "x",
               "measure": "x", "progress": "50", "note": "x", "agenda": "x", "met_on": "2020-01-01",
               "private_note": "x", "due_on": "2030-01-01", "shared": "y", "label": "Wave X",
               "offset_days": "3", "window_days": "7", "reason": "x", "left_on": "2020-01-01",
               "size": "2", "members": "1", "role": "lead", "email": "n@example.org",
               "name": "New Person", "arm": "intervention", "venue": "x", "day": "2030-01-01",
               "starts_at": "09:00", "ends_at": "10:00", "module_id": "1", "seed": "1",
               "confirm": "y", "action": "share", "share_with_coach": "y"}


@dataclass
class Cast:
    """One programme with its people and objects."""

    programme: object
    people: dict
    ids: dict = field(default_factory=dict)


def _build(name: str, modules, tag: str, *, marked: bool) -> Cast:
    today = date.today()
    programme = make_programme(f"{name} programme", start=today - timedelta(days=60),
                               end=today + timedelta(days=300), status="running")
    people = {
        "lead": make_member(programme, "lead", user=make_user(f"lead{tag}@example.org", name=f"Lena Lead{tag}")),
        "trainer": make_member(programme, "trainer",
                               user=make_user(f"trainer{tag}@example.org", name=f"Tom Trainer{tag}")),
        "participant": make_member(programme, user=make_user(f"me{tag}@example.org", name=f"=Mia Formula{tag}"),
                                   team="+North"),
        "peer": make_member(programme, user=make_user(f"peer{tag}@example.org", name=f"@Pip Peer{tag}"),
                            team="-South"),
        "comparison": make_member(programme, user=make_user(f"cmp{tag}@example.org", name=f"Cal Compare{tag}"),
                                  arm="comparison", team="@East"),
        "evaluator": make_member(programme, "evaluator",
                                 user=make_user(f"eval{tag}@example.org", name=f"Eva Evaluator{tag}")),
    }
    past = make_day(programme, today - timedelta(days=30))
    future = make_day(programme, today + timedelta(days=10))
    session = make_session(past, modules["mindfulness"], trainers=[people["trainer"]])
    make_session(future, modules["cognitive-behavioural"], trainers=[people["trainer"]])
    db.session.add(DayAttendance(day=past, membership=people["participant"], status="present"))
    db.session.add(Apology(day=future, membership=people["peer"], reason="Court hearing"))
    assignment = make_assignment(programme, modules["mindfulness"].activities[0], due_on=today + timedelta(days=5))
    note = (lambda key: PRIVATE[key]) if marked else (lambda key: f"plain {key}")
    log = make_log(assignment, people["participant"], private_note=note("log_note"), done_on=today - timedelta(days=3),
                   values={"practice": "Body scan", "practice_minutes": 10})
    goal = make_goal(people["participant"], note("goal_what"))
    goal.why, goal.measure = note("goal_why"), note("goal_measure")
    goal.reviews.append(GoalReview(reviewed_on=today - timedelta(days=2), progress=40, note=note("review_note")))
    make_goal(people["participant"], "Shared goal: leave by six", shared=True)
    group = peers.form_group(people["lead"].user, programme, [people["participant"].id, people["peer"].id])
    meeting = peers.log_meeting(people["participant"], today - timedelta(days=1), 30,
                                "Agenda line for peers", note("meeting_note"), today=today)
    wave = make_wave(programme, "One week", opens_on=today - timedelta(days=2))
    make_wave(programme, "Eight weeks", offset_days=56, opens_on=today + timedelta(days=40), opened=False)
    for i, member in enumerate((people["participant"], people["peer"])):
        make_rating(wave, member, modules["mindfulness"], 4, comment=FORMULAS[i])
        make_rating(wave, member, modules["cognitive-behavioural"], 3, comment=FORMULAS[i + 2])
    waves = make_outcome_waves(programme, ("brs",), baseline=(today - timedelta(days=5), today + timedelta(days=20)),
                               post=(today + timedelta(days=60), today + timedelta(days=80)),
                               follow_up=(today + timedelta(days=200), today + timedelta(days=220)))
    for member in (people["participant"], people["peer"]):
        make_scores(member, waves["baseline"], "brs", {"total": 3.2})
    make_scores(people["comparison"], waves["post"], "brs", {"total": -0.5})
    calendar.reset_token(people["participant"].user)
    message = OutboxMessage(dedupe_key=f"failed-{tag}", kind="invite", to_address=f"x{tag}@example.org",
                            subject="Failed", body="b", attempts=5, last_error="SMTP refused")
    db.session.add(message)
    db.session.commit()
    ids = {"message_id": message.id, "programme_id": programme.id, "assignment_id": assignment.id,
           "module_id": modules["mindfulness"].id, "goal_id": goal.id, "log_id": log.id,
           "module_key": "mindfulness", "rating_wave_id": wave.id, "outcome_wave_id": waves["baseline"].id,
           "outcome_key": "brs", "group_id": group.id, "membership_id": people["peer"].id,
           "meeting_id": meeting.id,
           "day_id": future.id, "past_day_id": past.id, "session_id": session.id,
           "user_id": people["peer"].user_id, "action": "disable",
           "token": calendar.feed_token(people["participant"].user), "filename": "css/app.css"}
    return Cast(programme, people, ids)


@pytest.fixture
def world(app, modules):
    """Programme A (with private markers) and programme B, and an admin."""
    a = _build("Alpha", modules, "a", marked=True)
    b = _build("Beta", modules, "b", marked=False)
    make_user("root@example.org", name="Root Admin", is_admin=True)
    db.session.commit()
    return a, b


def _value(rule, arg: str, ids: dict):
    if arg == "wave_id":
        return ids["outcome_wave_id"] if rule.endpoint.startswith("outcomes.") else ids["rating_wave_id"]
    if arg == "key":
        return ids["outcome_key"] if rule.endpoint.startswith("outcomes.") else ids["module_key"]
    if arg == "day_id" and rule.endpoint in ("schedule.attendance", "schedule.agenda"):
        return ids["past_day_id"]
    return ids[arg]


def urls(app, ids: dict, method: str, *, only=None):
    """(endpoint, url) for every rule accepting ``method``, its variables filled from ``ids``."""
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if method not in rule.methods or (only and not only(rule)):
            continue
        variants = EXPORT_NAMES.get(rule.endpoint, (None,))
        for variant in variants:
            slot = "name" if "name" in rule.arguments else "kind"
            values = {arg: variant if arg == slot and variant else _value(rule, arg, ids)
                      for arg in rule.arguments}
            with app.test_request_context():
                from flask import url_for
                out.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return out


def _scoped(rule) -> bool:
    return bool(rule.arguments) and rule.endpoint not in NOT_PROGRAMME_SCOPED


def signed_in(app, email: str):
    """A fresh client signed in as ``email``."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"could not sign in {email}"
    return client


def _email(cast: Cast, role: str) -> str:
    return "root@example.org" if role == "admin" else cast.people[role].user.email


def snapshot() -> dict:
    """Every row of every table (sessions' sign-in bookkeeping excluded)."""
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name == "login_attempts":
            continue
        columns = [c for c in table.columns if c.name not in ("last_login_at",)]
        rows = db.session.execute(select(*columns)).all()
        state[table.name] = sorted(repr(tuple(r)) for r in rows)
    db.session.rollback()
    return state


def _diff(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def _report(failures: list[str]) -> str:
    return f"{len(failures)} offending route(s):\n" + "\n".join(failures)


# 1 (a) anonymous visitors


def test_anonymous_visitors_reach_only_public_routes(app, client, world):
    a, _ = world
    before = snapshot()
    failures = []
    for method in ("GET", "POST"):
        for endpoint, url in urls(app, a.ids, method, only=lambda r: r.endpoint not in PUBLIC):
            response = client.open(url, method=method)
            login = response.status_code == 302 and "/login" in response.headers.get("Location", "")
            if not (login or response.status_code in (401, 403, 404)):
                failures.append(f"{method} {url} ({endpoint}) -> {response.status_code}")
    changed = _diff(before, snapshot())
    assert not failures and not changed, _report(failures) + f"\ntables changed: {changed}"


def test_public_routes_answer_anonymous_visitors(app, client, world):
    a, _ = world
    failures = [f"{url} -> {r.status_code}" for endpoint, url in
                urls(app, a.ids, "GET", only=lambda r: r.endpoint in PUBLIC and r.endpoint != "auth.set_password")
                if (r := client.get(url)).status_code != 200]
    assert client.get("/set-password/not-a-token").status_code in (404, 410)
    assert not failures, _report(failures)


# 1 (b) programme B's people against programme A's objects


@pytest.mark.parametrize("role", B_ROLES)
def test_other_programmes_people_cannot_open_programme_a(app, world, role):
    a, b = world
    client = signed_in(app, _email(b, role))
    failures = []
    for endpoint, url in urls(app, a.ids, "GET", only=_scoped):
        status = client.get(url).status_code
        if status not in (403, 404):
            failures.append(f"GET {url} ({endpoint}) as B's {role} -> {status}")
    assert not failures, _report(failures)


@pytest.mark.parametrize("role", B_ROLES)
def test_other_programmes_people_cannot_change_programme_a(app, world, role):
    a, b = world
    client = signed_in(app, _email(b, role))
    before = snapshot()
    failures = []
    for endpoint, url in urls(app, a.ids, "POST", only=_scoped):
        for data in ({}, FILLED_FORM):
            status = client.post(url, data=data).status_code
            if status not in (403, 404):
                failures.append(f"POST {url} ({endpoint}) as B's {role} -> {status}")
    changed = _diff(before, snapshot())
    assert not failures and not changed, _report(failures) + f"\ntables changed: {changed}"


# 1 (b') within programme A: whoever a page refuses, the form behind it refuses too

GUARD_PAGES = {"reports.export": "reports.dashboard", "outcomes.export": "outcomes.evaluate"}


def _guard_page(app, endpoint: str, url: str, ids: dict) -> str:
    """The page whose access rule a POST-only action shares: its edit page or nearest parent."""
    if endpoint in GUARD_PAGES:
        return dict(urls(app, ids, "GET", only=lambda r: r.endpoint == GUARD_PAGES[endpoint]))[GUARD_PAGES[endpoint]]
    adapter = app.url_map.bind("localhost")
    parts = url.split("/")
    for candidate in [url, "/".join(parts[:-1] + ["edit"])] + ["/".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]:
        try:
            adapter.match(candidate or "/", method="GET")
            return candidate or "/"
        except Exception:
            continue
    return "/"


def test_actions_refuse_whoever_their_page_refuses(app, world):
    a, _ = world
    roles = ALL_ROLES + ("peer",)
    clients = {role: signed_in(app, _email(a, role)) for role in roles}
    before = snapshot()
    failures, pages = [], {}
    for endpoint, url in urls(app, a.ids, "POST", only=_scoped):
        guard = _guard_page(app, endpoint, url, a.ids)
        for role, client in clients.items():
            if (guard, role) not in pages:
                pages[guard, role] = client.get(guard).status_code
            if pages[guard, role] not in (403, 404):
                continue
            for data in ({}, FILLED_FORM):
                status = client.post(url, data=data).status_code
                if status not in (403, 404):
                    failures.append(f"POST {url} ({endpoint}) as A's {role} -> {status}, "
                                    f"but GET {guard} -> {pages[guard, role]}")
    changed = _diff(before, snapshot())
    assert not failures and not changed, _report(failures) + f"\ntables changed: {changed}"


# 1 (b'') programme A's own people with another programme's objects, or objects that do not exist

def _mixed(rule) -> bool:
    return "programme_id" in rule.arguments and len(rule.arguments - {"programme_id"}) > 0


@pytest.mark.parametrize("role", ("lead", "trainer", "participant", "comparison"))
def test_programme_a_urls_do_not_reach_programme_b_objects(app, world, role):
    a, b = world
    ids = {**b.ids, "programme_id": a.programme.id}
    client = signed_in(app, _email(a, role))
    before = snapshot()
    failures = []
    for method in ("GET", "POST"):
        for endpoint, url in urls(app, ids, method, only=lambda r: _mixed(r) and r.arguments & {
                "assignment_id", "goal_id", "log_id", "wave_id", "group_id", "membership_id",
                "meeting_id"}):
            for data in ({}, FILLED_FORM) if method == "POST" else (None,):
                status = client.open(url, method=method, data=data).status_code
                if status not in (403, 404):
                    failures.append(f"{method} {url} ({endpoint}) as A's {role} -> {status}")
    changed = _diff(before, snapshot())
    assert not failures and not changed, _report(failures) + f"\ntables changed: {changed}"


@pytest.mark.parametrize("role", ("lead", "participant", "admin"))
def test_missing_objects_are_404_never_500(app, world, role):
    a, _ = world
    ids = {**a.ids, **{k: 987654 for k in ("programme_id", "assignment_id", "module_id", "goal_id",
                                           "log_id", "rating_wave_id", "outcome_wave_id", "group_id",
                                           "membership_id", "day_id", "past_day_id", "session_id",
                                           "user_id", "meeting_id", "message_id")},
           "module_key": "no-such-module", "outcome_key": "no-such-instrument", "token": "no-such-token"}
    client = signed_in(app, _email(a, role))
    failures = []
    for method in ("GET", "POST"):
        for endpoint, url in urls(app, ids, method, only=lambda r: bool(r.arguments) and r.endpoint != "static"):
            status = client.open(url, method=method, data=FILLED_FORM if method == "POST" else None).status_code
            if status not in (403, 404, 410):
                failures.append(f"{method} {url} ({endpoint}) as {role} -> {status}")
    assert not failures, _report(failures)


# 1 (c) legitimate users of programme A: every page opens for someone, none fails, GET changes nothing


def test_every_page_opens_for_someone_and_never_fails(app, world):
    a, _ = world
    clients = {role: signed_in(app, _email(a, role)) for role in ALL_ROLES}
    before = snapshot()
    failures = []
    for endpoint, url in urls(app, a.ids, "GET"):
        if endpoint in ("static", "auth.login", "auth.set_password", "auth.sso_start", "auth.sso_callback"):
            continue  # signed-in users are sent on from these; anonymous visitors are tested above,
            # and single sign-on (404 unless configured) in test_sso.py
        statuses = {role: c.get(url).status_code for role, c in clients.items()}
        if 500 in statuses.values() or 200 not in statuses.values():
            failures.append(f"GET {url} ({endpoint}) -> {statuses}")
    changed = _diff(before, snapshot())
    assert not failures and not changed, _report(failures) + f"\nGET changed tables: {changed}"


# 2 private notes


def _downloads(app, cast: Cast, client) -> list[tuple[str, str]]:
    """Every export as (url, body), fetched by ``client`` (GET or POST as the route wants)."""
    out = []
    for method in ("GET", "POST"):
        for endpoint, url in urls(app, cast.ids, method, only=lambda r: r.endpoint in ANY_EXPORT):
            response = client.open(url, method=method)
            assert response.status_code == 200, f"{method} {url} -> {response.status_code}"
            out.append((url, response.get_data(as_text=True)))
    return out


def _pages(app, cast: Cast, client) -> list[tuple[str, str]]:
    return [(url, r.get_data(as_text=True)) for endpoint, url in urls(app, cast.ids, "GET")
            if endpoint != "static" and (r := client.get(url)).status_code == 200]


@pytest.mark.parametrize("role", ("lead", "trainer", "admin", "peer", "comparison", "evaluator"))
def test_private_text_is_seen_by_nobody_but_its_author(app, world, role):
    a, _ = world
    client = signed_in(app, _email(a, role))
    bodies = _pages(app, a, client)
    if role == "evaluator":
        bodies += _downloads(app, a, client)
    outbox = "\n".join(db.session.scalars(text("SELECT subject || ' ' || body FROM outbox_messages")))
    bodies.append(("outbox", outbox))
    leaks = [f"{key} on {url}" for url, body in bodies for key, marker in PRIVATE.items() if marker in body]
    assert not leaks, _report(leaks)


def test_the_author_does_see_their_private_text(app, world):
    a, _ = world
    seen = "\n".join(body for _url, body in _pages(app, a, signed_in(app, _email(a, "participant"))))
    assert [key for key, marker in PRIVATE.items() if marker not in seen] == []


# 3 CSV exports

NUMBER = re.compile(r"^-?\d+(\.\d+)?(e-?\d+)?$")


def test_csv_exports_are_neutralised_anonymous_and_parse(app, world):
    a, _ = world
    names = [m.user.display_name for m in a.people.values()]
    emails = [m.user.email for m in a.people.values()]
    failures = []
    for url, body in _downloads(app, a, signed_in(app, _email(a, "evaluator"))):
        if not (url.endswith(".csv") or "/ratings/export/" in url):
            continue
        rows = list(csv.DictReader(io.StringIO(body)))
        if None in (k for r in rows for k in r) or any(None in r.values() for r in rows):
            failures.append(f"{url}: ragged rows")
        for r in rows:
            for cell in r.values():
                if cell and cell[0] in "=+-@\t\r" and not NUMBER.match(cell):
                    failures.append(f"{url}: live formula {cell!r}")
        failures += [f"{url}: contains {who!r}" for who in names + emails if who in body]
        failures += [f"{url}: e-mail address" for _ in re.findall(r"[\w.+-]+@[\w-]+\.\w+", body)[:1]]
    assert not failures, _report(failures)


def test_formula_text_reaches_the_exports_neutralised(app, world):
    a, _ = world
    body = "\n".join(b for _u, b in _downloads(app, a, signed_in(app, _email(a, "evaluator"))))
    assert all(f"'{formula}" in body.replace('""', '"') for formula in FORMULAS) and "'+North" in body


# 4 security headers and CSRF


def test_every_html_response_carries_a_strict_csp(app, world):
    a, _ = world
    failures = []
    for role in ("anonymous",) + ALL_ROLES:
        client = app.test_client() if role == "anonymous" else signed_in(app, _email(a, role))
        for endpoint, url in urls(app, a.ids, "GET"):
            response = client.get(url)
            if response.mimetype != "text/html":
                continue
            csp = response.headers.get("Content-Security-Policy", "")
            if "script-src 'self'" not in csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
                failures.append(f"{url} as {role}: CSP {csp!r}")
    assert not failures, _report(failures)


@pytest.mark.parametrize("role", ("lead", "participant", "admin"))
def test_every_post_without_a_token_is_refused(app, world, role):
    a, _ = world
    client = signed_in(app, _email(a, role))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        before = snapshot()
        failures = [f"POST {url} ({endpoint}) as {role} -> {r.status_code}"
                    for endpoint, url in urls(app, a.ids, "POST")
                    if (r := client.post(url, data=FILLED_FORM)).status_code != 400]
        changed = _diff(before, snapshot())
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert not failures and not changed, _report(failures) + f"\ntables changed: {changed}"


# 5 the evaluator, participant codes and what leads may download

CODE_WORD = re.compile(r"\b[A-Z2-9]{6}\b")


def _identities(*casts: Cast, but: str = "evaluator") -> list[str]:
    """Names and e-mail addresses of everyone in ``casts`` except the ``but`` role (the reader)."""
    people = [m for cast in casts for role, m in cast.people.items() if role != but]
    return [m.user.display_name for m in people] + [m.user.email for m in people]


def _codes(*casts: Cast) -> set[str]:
    return {m.code for cast in casts for m in cast.people.values() if m.code}


def test_the_evaluator_reaches_the_evaluation_pages_and_exports_and_no_page_with_names(app, world):
    a, b = world
    client = signed_in(app, _email(a, "evaluator"))
    failures = []
    for endpoint, url in urls(app, a.ids, "GET"):
        if endpoint in ("static", "auth.login", "auth.set_password", "schedule.feed", "auth.sso_start",
                        "auth.sso_callback"):
            continue  # single sign-on (404 unless configured) is tested in test_sso.py
        response = client.get(url)
        scoped = _scoped(next(app.url_map.iter_rules(endpoint)))
        expected = (200,) if endpoint in EVALUATION_PAGES else (403, 404) if scoped else (200, 302, 403)
        if response.status_code not in expected:
            failures.append(f"GET {url} ({endpoint}) as A's evaluator -> {response.status_code}")
        if response.status_code == 200:
            body = response.get_data(as_text=True)
            failures += [f"GET {url} shows {who!r}" for who in _identities(a, b) if who in body]
    downloads = _downloads(app, a, client)
    assert len(downloads) == 13  # 11 record-level files and the 2 aggregate tables leads get too
    failures += [f"{url} holds {who!r}" for url, body in downloads for who in _identities(a, b) if who in body]
    assert not failures, _report(failures)


def test_the_evaluator_sees_codes_and_results_but_no_team_or_cohort_page(app, world):
    a, _ = world
    client = signed_in(app, _email(a, "evaluator"))
    ratings = dict(_downloads(app, a, client))
    body = next(text for url, text in ratings.items() if url.endswith("/ratings/export/ratings"))
    assert {a.people["participant"].code, a.people["peer"].code} <= set(CODE_WORD.findall(body))
    comments = next(text for url, text in ratings.items() if url.endswith("/ratings/export/comments"))
    assert "code" not in comments.splitlines()[0] and not _codes(a) & set(CODE_WORD.findall(comments))
    home = client.get("/").get_data(as_text=True)
    assert "Programmes you evaluate" in home and f"/programmes/{a.programme.id}/outcomes/" in home
    for path in ("", "/cohort/", "/team", "/progress", "/waves", "/outcomes/setup", "/outcomes/shared"):
        assert client.get(f"/programmes/{a.programme.id}{path}").status_code == 403, path


@pytest.mark.parametrize("role", ("lead", "trainer", "participant", "peer", "comparison", "admin"))
def test_no_page_or_download_but_the_evaluators_shows_a_participant_code(app, world, role):
    a, b = world
    client = signed_in(app, _email(a, role))
    codes = _codes(a, b)
    assert len(codes) == 6
    failures = []
    for method in ("GET", "POST"):
        for endpoint, url in urls(app, a.ids, method):
            if endpoint == "static" or (method == "POST" and endpoint not in ANY_EXPORT):
                continue
            response = client.open(url, method=method)
            body = response.get_data(as_text=True)
            failures += [f"{method} {url} ({endpoint}) as {role} shows code {code}"
                         for code in codes if code in body]
            if method == "POST" and response.status_code != 403:
                failures.append(f"POST {url} as {role}: record-level download -> {response.status_code}")
    outbox = "\n".join(db.session.scalars(text("SELECT subject || ' ' || body FROM outbox_messages")))
    failures += [f"outbox shows code {code}" for code in codes if code in outbox]
    assert not failures, _report(failures)


def test_lead_and_trainer_downloads_have_no_per_person_rows(app, world):
    a, b = world
    people = _identities(a, b, but="") + sorted(_codes(a, b))
    failures = []
    for role in ("lead", "trainer"):
        client = signed_in(app, _email(a, role))
        for method in ("GET", "POST"):
            # The audit trail records what people did, which leads see with names (docs/privacy.md).
            for endpoint, url in urls(app, a.ids, method,
                                      only=lambda r: r.endpoint not in ("static", "audit.export")):
                response = client.open(url, method=method, data={} if method == "POST" else None)
                attachment = "attachment" in response.headers.get("Content-Disposition", "")
                if response.status_code != 200 or not (attachment or response.mimetype == "text/csv"):
                    continue
                rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
                header = [h.lower() for h in rows[0]] if rows else []
                failures += [f"{url} as {role}: column {h!r}" for h in header
                             if h in ("code", "participant_code", "name", "email", "participant")]
                failures += [f"{url} as {role}: row naming {who!r}" for row in rows for who in people
                             if who in row]
    assert not failures, _report(failures)
