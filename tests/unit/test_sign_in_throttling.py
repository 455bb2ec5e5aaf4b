"""Sign-in throttling without lockout, and sign-in that takes as long for unknown e-mails."""
import statistics
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.factories import PASSWORD, make_user
from trainer.errors import TooManyAttempts
from trainer.services.accounts import accounts
from trainer.services.accounts.throttling import ThrottlePolicy

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def _fail(email: str, ip: str, times: int = 1, *, policy: ThrottlePolicy = ThrottlePolicy()) -> None:
    for _ in range(times):
        assert accounts.authenticate(email, "not the password", ip=ip, now=NOW, policy=policy) is None


def test_five_failures_refuse_that_address_for_that_account_only(app):
    user = make_user("a@example.org")
    other = make_user("b@example.org")
    _fail("a@example.org", "10.0.0.1", 5)
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.1", now=NOW)
    assert accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.2", now=NOW) == user
    assert accounts.authenticate("b@example.org", PASSWORD, ip="10.0.0.1", now=NOW) == other


def test_four_failures_do_not_refuse_the_pair(app):
    user = make_user("a@example.org")
    _fail("a@example.org", "10.0.0.1", 4)
    assert accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.1", now=NOW) == user


def test_a_refused_pair_is_forgiven_once_the_window_has_passed(app):
    user = make_user("a@example.org")
    _fail("a@example.org", "10.0.0.1", 5)
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.1", now=NOW + timedelta(minutes=14))
    later = NOW + timedelta(minutes=15, seconds=1)
    assert accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.1", now=later) == user


def test_signing_in_forgets_the_pairs_failures_but_not_the_addresses_others(app):
    user = make_user("a@example.org")
    _fail("a@example.org", "10.0.0.1", 4)
    assert accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.1", now=NOW) == user
    _fail("a@example.org", "10.0.0.1", 4)
    assert accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.1", now=NOW) == user
    policy = ThrottlePolicy(address_failures=4)
    for i in range(3):
        accounts.authenticate(f"guess{i}@example.org", "x", ip="10.0.0.9", now=NOW, policy=policy)
    assert accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.9", now=NOW, policy=policy) == user
    accounts.authenticate("guess9@example.org", "x", ip="10.0.0.9", now=NOW, policy=policy)
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("a@example.org", PASSWORD, ip="10.0.0.9", now=NOW, policy=policy)


# Smaller thresholds than the defaults keep these tests quick: every attempt costs a scrypt check.
FEW = ThrottlePolicy(account_failures=6, address_failures=8)


def test_a_distributed_guess_refuses_addresses_that_failed_but_never_a_new_one(app):
    user = make_user("a@example.org")
    for n in range(6):
        _fail("a@example.org", f"10.1.0.{n}", policy=FEW)
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("a@example.org", PASSWORD, ip="10.1.0.3", now=NOW, policy=FEW)
    assert accounts.authenticate("a@example.org", PASSWORD, ip="10.9.9.9", now=NOW, policy=FEW) == user


def test_below_the_account_threshold_one_failure_does_not_refuse(app):
    user = make_user("a@example.org")
    for n in range(5):
        _fail("a@example.org", f"10.1.0.{n}", policy=FEW)
    assert accounts.authenticate("a@example.org", PASSWORD, ip="10.1.0.3", now=NOW, policy=FEW) == user


def test_password_spraying_from_one_address_meets_its_ceiling(app):
    user = make_user("victim@example.org")
    for i in range(8):
        _fail(f"person{i}@example.org", "10.6.6.6", policy=FEW)
    with pytest.raises(TooManyAttempts, match="from your network"):
        accounts.authenticate("victim@example.org", PASSWORD, ip="10.6.6.6", now=NOW, policy=FEW)
    assert accounts.authenticate("victim@example.org", PASSWORD, ip="10.7.7.7", now=NOW, policy=FEW) == user


def test_unknown_addresses_are_throttled_exactly_like_known_ones(app):
    make_user("real@example.org")
    for email in ("real@example.org", "ghost@example.org"):
        _fail(email, "10.0.0.1", 5)
        with pytest.raises(TooManyAttempts) as refused:
            accounts.authenticate(email, "anything at all", ip="10.0.0.1", now=NOW)
        assert "for this account" in str(refused.value)


def test_policy_comes_from_the_settings(app):
    policy = ThrottlePolicy.from_settings(app.config)
    assert policy == ThrottlePolicy(pair_failures=5, account_failures=20, address_failures=100,
                                    window=timedelta(minutes=15))


def _timings(email: str, ip_prefix: str, repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        started = time.perf_counter()
        accounts.authenticate(email, "not the password", ip=f"{ip_prefix}.{i}", now=NOW)
        times.append(time.perf_counter() - started)
    return times


def test_an_unknown_email_takes_as_long_as_a_wrong_password_for_a_real_account(app):
    make_user("real@example.org")
    make_user("invited@example.org", password=None)
    accounts.authenticate("warm@example.org", "x", ip="10.9.9.9", now=NOW)  # the dummy hash is made once
    known, unknown, invited = [], [], []
    for round_ in range(4):  # interleaved, so a burst of load elsewhere hits every kind alike
        known += _timings("real@example.org", f"10.1.{round_}", 3)
        unknown += _timings("nobody@example.org", f"10.2.{round_}", 3)
        invited += _timings("invited@example.org", f"10.3.{round_}", 3)
    known_median = statistics.median(known)
    for other in (unknown, invited):
        ratio = statistics.median(other) / known_median
        assert 0.5 < ratio < 2, f"median {statistics.median(other):.4f}s vs {known_median:.4f}s"
