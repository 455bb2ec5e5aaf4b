"""The module library pages."""


def test_module_library_lists_all_six_modules(client, auth, modules):
    from tests.factories import make_user
    make_user("amy@example.org")
    auth.login("amy@example.org")
    page = client.get("/modules/").get_data(as_text=True)
    for module in modules.values():
        assert module.title in page
        assert f'href="/modules/{module.key}"' in page


def test_module_page_shows_aims_evidence_and_activities(client, auth, modules):
    from tests.factories import make_user
    make_user("amy@example.org")
    auth.login("amy@example.org")
    page = client.get("/modules/cognitive-behavioural").get_data(as_text=True)
    module = modules["cognitive-behavioural"]
    assert module.title in page and module.aims[0] in page
    assert "What the evidence says" in page
    for activity in module.activities:
        assert activity.title in page
    assert client.get("/modules/no-such-module").status_code == 404


def test_module_library_needs_sign_in(client, modules):
    response = client.get("/modules/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_numbered_steps_in_instructions_render_as_a_numbered_list(client, auth, modules):
    from tests.factories import make_user
    make_user("amy@example.org")
    auth.login("amy@example.org")
    page = client.get("/modules/cognitive-behavioural").get_data(as_text=True)
    assert '<ol class="govuk-list govuk-list--number"><li>Situation:' in page
