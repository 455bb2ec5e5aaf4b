"""A database outage: a self-contained 503 with Retry-After, /healthz 503, and recovery by itself."""
import os
import shutil
import socket
import threading
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask_migrate import upgrade

from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_user
from trainer import create_app
from trainer.extensions import db


class TcpProxy:
    """Forwards a loopback port to ``upstream``; ``close`` cuts every connection and refuses new
    ones, ``open`` listens again on the same port. It stands in for a network outage."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        with self.lock:
            for sock in [self.listener, *self.sockets]:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def _signed_in_client(other_app, email: str):
    other_app.test_client_class = IsolatedClient  # requests in their own context, like real ones
    client = other_app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    return client


def _assert_outage_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "Sorry, the service is unavailable" in page
    assert "Sign out" not in page and "govuk-service-navigation" not in page


def _config(url: str) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False, "SERVER_NAME": None}


def test_postgresql_outage_gives_a_503_and_the_app_recovers_when_it_returns(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL); the SQLite case is the next test")
    user = make_user()
    db.session.commit()
    parts = urlsplit(app.config["SQLALCHEMY_DATABASE_URI"])
    proxy = TcpProxy((parts.hostname, parts.port or 5432))
    proxy.open()
    netloc = parts.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{proxy.port}"
    other = create_app(_config(urlunsplit(parts._replace(netloc=netloc))))
    try:
        client = _signed_in_client(other, user.email)
        proxy.close()
        _assert_outage_page(client.get("/"))
        _assert_outage_page(client.get("/account/password"))
        assert client.get("/healthz").status_code == 503
        _assert_outage_page(client.get("/no-such-page"))  # even the 404 page needs the user
        proxy.open()
        assert client.get("/healthz").status_code == 200
        home = client.get("/")
        assert home.status_code == 200 and "Sign out" in home.get_data(as_text=True)
    finally:
        proxy.close()
        with other.app_context():
            db.engine.dispose()


def test_sqlite_outage_gives_a_503_and_the_app_recovers_when_the_file_returns(app, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    other = create_app(_config("sqlite:///" + str(folder / "trainer.sqlite3")))
    with other.app_context():
        upgrade()
        email = make_user().email
        db.session.commit()
        db.session.remove()
    try:
        client = _signed_in_client(other, email)
        # The database's folder disappears and a plain file takes its place: unreadable.
        shutil.move(folder, tmp_path / "away")
        folder.write_text("not a folder")
        with other.app_context():
            db.engine.dispose()  # open connections would keep the moved file
        _assert_outage_page(client.get("/"))
        assert client.get("/healthz").status_code == 503
        os.remove(folder)
        shutil.move(tmp_path / "away", folder)
        assert client.get("/healthz").status_code == 200
        assert "Sign out" in client.get("/").get_data(as_text=True)
    finally:
        with other.app_context():
            db.engine.dispose()
