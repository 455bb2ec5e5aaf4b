"""Sign-in throttling without lockout (OWASP ASVS 4.0.3 §2.2.1): no account is ever locked for everyone.

Failed sign-ins are counted per account (the e-mail typed, known or not), per (account, client
address) and per client address. Too many failures refuse the *pair* for a while, never the
account from another address, so a stranger's wrong guesses cannot keep the owner out.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from sqlalchemy import delete, func, select

from trainer.errors import TooManyAttempts
from trainer.extensions import db
from trainer.models import LoginAttempt


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures in ``window`` refuse what.

    - ``pair_failures`` for one account from one address: that address is refused for that
      account until the oldest of them leaves the window.
    - ``account_failures`` for one account from all addresses (a distributed guess): every address
      that has failed for it even once in the window is refused for it; others are not.
    - ``address_failures`` from one address over all accounts (password spraying): that address is
      refused for every account.
    """

    pair_failures: int = 5
    account_failures: int = 20
    address_failures: int = 100
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Mapping) -> "ThrottlePolicy":
        """The policy from the app's LOGIN_* settings (plain mapping, so services stay app-free)."""
        return cls(pair_failures=settings["LOGIN_MAX_FAILURES"],
                   account_failures=settings["LOGIN_ACCOUNT_FAILURES"],
                   address_failures=settings["LOGIN_ADDRESS_MAX_FAILURES"],
                   window=timedelta(minutes=settings["LOGIN_FAILURE_WINDOW_MINUTES"]))


def _failures(*conditions, since: datetime) -> int:
    return db.session.scalar(select(func.count(LoginAttempt.id)).where(
        LoginAttempt.attempted_at >= since, *conditions))


def check_allowed(email: str, ip: str, *, now: datetime, policy: ThrottlePolicy) -> None:
    """Raise TooManyAttempts if ``ip`` may not try to sign in as ``email`` now.

    Called before the password is checked, and the same for known and unknown addresses, so the
    refusal says nothing about whether the account exists or the password was right.
    """
    since = now - policy.window
    minutes = int(policy.window.total_seconds() // 60)
    if _failures(LoginAttempt.ip == ip, since=since) >= policy.address_failures:
        raise TooManyAttempts(f"Too many failed sign-in attempts from your network. Wait {minutes} "
                              "minutes and try again.")
    pair = _failures(LoginAttempt.email == email, LoginAttempt.ip == ip, since=since)
    if pair >= policy.pair_failures or (
            pair > 0 and _failures(LoginAttempt.email == email, since=since) >= policy.account_failures):
        raise TooManyAttempts(f"Too many failed sign-in attempts for this account. Wait {minutes} "
                              "minutes and try again, or use \u201cForgotten your password?\u201d.")


def record_failure(email: str, ip: str, *, now: datetime, policy: ThrottlePolicy) -> None:
    """Count a failed sign-in (no commit) and drop failures too old to matter."""
    db.session.add(LoginAttempt(email=email, ip=ip, attempted_at=now))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - 4 * policy.window))


def forget_pair(email: str, ip: str) -> None:
    """After a successful sign-in, forget that pair's failures (no commit).

    Only the pair's: the address's failures for other accounts still count towards its ceiling.
    """
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.ip == ip))
