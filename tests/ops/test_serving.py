"""The real `make serve` and `make run` commands, run as subprocesses with timeouts."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent.parent
# The test's own interpreter's venv; `-o install` keeps make from installing anything.
MAKE = ["make", "--no-print-directory", "-C", str(ROOT), "-o", "install", f"VENV={sys.prefix}"]


def _free_port(preferred: int | None = None) -> int:
    for port in ((preferred,) if preferred else ()) + (0,):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port")


def _environment(**settings) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "BASE_URL", "TRAINER_ENV", "DATABASE_URL", "TEST_DATABASE_URL",
                        "MAIL_SERVER", "MAKEFLAGS", "MFLAGS")}
    env.update(settings)
    return env


class Served:
    """A make target running in its own process group, with its output collected in a file."""

    def __init__(self, args, env, log: Path):
        self.log = log
        self.process = subprocess.Popen(MAKE + args, env=env, stdout=log.open("w"),
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait_for(self, url: str, timeout: float) -> requests.Response:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                return requests.get(url, timeout=10)
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.3)
        raise AssertionError(f"{url} did not answer in {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@pytest.mark.parametrize("present, missing", (({}, ("SECRET_KEY", "BASE_URL")),
                                              ({"SECRET_KEY": "s3cret"}, ("BASE_URL",)),
                                              ({"BASE_URL": "https://t.example.org"}, ("SECRET_KEY",))))
def test_make_serve_refuses_to_start_without_secret_key_and_base_url_and_says_why(present, missing):
    result = subprocess.run(MAKE + ["serve", f"PORT={_free_port()}"], env=_environment(**present),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    for name in ("SECRET_KEY", "BASE_URL"):
        assert (f"Cannot start: {name} is not set" in result.stderr) == (name in missing), result.stderr
    assert "gunicorn" not in result.stdout + result.stderr.lower().replace("gunicorn workers", "")


def test_make_serve_runs_gunicorn_and_the_scheduler_in_production(app, tmp_path):
    port = _free_port()
    served = Served(["serve", f"PORT={port}"], _environment(
        SECRET_KEY="s3cret", BASE_URL="https://trainer.example.org", WEB_CONCURRENCY="2",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SCHEDULER_HEARTBEAT_SECONDS="1"),
        tmp_path / "serve.log")
    try:
        served.wait_for(f"http://127.0.0.1:{port}/healthz", timeout=90)
        deadline = time.monotonic() + 60
        while (body := requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json())[
                "scheduler"]["status"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert body["status"] == "ok" and body["scheduler"]["status"] == "ok", body
        login = requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert login.headers["Server"].startswith("gunicorn") and "Secure" in login.headers["Set-Cookie"]
    finally:
        served.stop()
    log = served.log.read_text()
    assert "Booting worker" in log and log.count("Booting worker") >= 2
    assert "Scheduler stopped." in log


def _signed_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(f"{base}/login", timeout=10).text)
    response = session.post(f"{base}/login", data={"csrf_token": token.group(1), "email": email,
                                                   "password": "demo-password"}, timeout=30)
    assert response.url.rstrip("/") == base, response.text
    return session


def test_make_run_links_use_the_port_it_serves_on(tmp_path):
    port = _free_port(5301)
    base = f"http://127.0.0.1:{port}"
    served = Served(["run", f"PORT={port}"], _environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}"), tmp_path / "run.log")
    try:
        served.wait_for(f"{base}/healthz", timeout=240)
        assert f"Sign in at {base} with any of these" in served.log.read_text()
        participant = _signed_in(base, "participant@demo.test").get(f"{base}/", timeout=30).text
        assert re.search(rf'{re.escape(base)}/calendar/[\w-]+\.ics', participant), "no calendar link"
        admin = _signed_in(base, "admin@demo.test")
        form = admin.get(f"{base}/admin/users/invite", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        invited = admin.post(f"{base}/admin/users/invite", timeout=30, data={
            "csrf_token": token, "display_name": "Nia New", "email": "nia@example.org"}).text
        assert re.search(rf'{re.escape(base)}/set-password/[\w-]+', invited), "no invitation link"
        assert "127.0.0.1:5000" not in participant + invited
    finally:
        served.stop()


def _collector_after(code: str, tmp_path) -> tuple[int, int]:
    """gc's young threshold and frozen objects in a fresh interpreter after ``code``."""
    env = _environment(DATABASE_URL=f"sqlite:///{tmp_path / 'gc.sqlite3'}", TRAINER_ENV="development")
    report = "import gc\nprint(gc.get_threshold()[0], gc.get_freeze_count())"
    done = subprocess.run([sys.executable, "-c", f"{code}\n{report}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    threshold, frozen = done.stdout.split()[-2:]
    return int(threshold), int(frozen)


def test_a_served_worker_freezes_what_it_built_and_collects_young_objects_less_often(tmp_path):
    from trainer import collector

    threshold, frozen = _collector_after("import app", tmp_path)
    assert threshold == collector.YOUNG_THRESHOLD > 700
    # The app, its modules and compiled statements: far more than a bare interpreter's objects.
    assert frozen > 50_000
    # Apps built by create_app alone (tests, scripts) keep Python's defaults.
    assert _collector_after("from trainer import create_app\ncreate_app()", tmp_path) == (700, 0)
