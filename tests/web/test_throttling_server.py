"""Throttling against a real HTTP server: clients bound to different loopback addresses."""
import http.client
import threading
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from tests.factories import PASSWORD, make_user
from trainer.extensions import db


@pytest.fixture
def server(app):
    """The app served by Werkzeug on 127.0.0.1 in a thread; yields its port."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_port
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def _sign_in(port: int, source: str, email: str, password: str) -> int:
    """POST the sign-in form from ``source`` (a loopback address); return the status code."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        connection.request("POST", "/login", body=urlencode({"email": email, "password": password}),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_wrong_passwords_from_one_address_never_block_a_correct_one_from_another(server):
    make_user("amy@example.org")
    db.session.commit()
    statuses = [_sign_in(server, "127.0.0.2", "amy@example.org", "a wrong guess") for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    assert _sign_in(server, "127.0.0.2", "amy@example.org", PASSWORD) == 429
    assert _sign_in(server, "127.0.0.3", "amy@example.org", PASSWORD) == 302
    assert _sign_in(server, "127.0.0.3", "amy@example.org", PASSWORD) == 302
