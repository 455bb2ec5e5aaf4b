"""The password policy (OWASP ASVS 4.0.3 §2.1): length, common passwords, the user's own details."""
import gzip
import re
from functools import lru_cache
from pathlib import Path

from trainer.errors import RuleViolation

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "common_passwords.txt.gz"
HINT = (f"Use {MIN_LENGTH} to {MAX_LENGTH} characters, any you like. Not a common password, and not "
        "your name or email address. Three or four unrelated words make a strong one.")
# Parts of a name or an address shorter than this are too common to refuse ("amy" in "dreamy").
_MIN_PERSONAL_PART = 4


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 100,000 most common passwords, lower-cased (loaded once from the shipped list)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n").lower() for line in lines if line.strip())


def _repeated_unit(password: str) -> str:
    """The shortest string that ``password`` repeats ("abcabcabc" -> "abc"), else ``password``."""
    match = re.fullmatch(r"(.+?)\1+", password, flags=re.DOTALL)
    return match.group(1) if match else password


def is_common(password: str) -> bool:
    """True if ``password`` is on the common list, or repeats a common or very short string."""
    lowered = password.lower()
    unit = _repeated_unit(lowered)
    common = common_passwords()
    return lowered in common or unit in common or (unit != lowered and len(unit) < 4)


def _personal_parts(email: str | None, name: str | None) -> list[str]:
    """The pieces of the user's own details a password must not contain, lower-cased."""
    parts = []
    if email:
        email = email.strip().lower()
        local = email.split("@", 1)[0]
        parts += [email, local] + re.split(r"[._+\-]+", local)
    if name:
        name = name.strip().lower()
        parts += [name, re.sub(r"\s+", "", name)] + name.split()
    return [part for part in parts if len(part) >= _MIN_PERSONAL_PART]


def check_password(password: str | None, *, email: str | None = None, name: str | None = None) -> None:
    """RuleViolation (field ``password``) unless ``password`` keeps the policy.

    12 to 128 characters of any kind; not one of the 100,000 most common passwords (nor a
    repetition of one); not containing the user's e-mail address, its local part, or their name.
    """
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise RuleViolation(f"Password must be at least {MIN_LENGTH} characters long", field="password")
    if len(password) > MAX_LENGTH:
        raise RuleViolation(f"Password must be {MAX_LENGTH} characters or fewer", field="password")
    if is_common(password):
        raise RuleViolation("This password is too common: it is on a list of passwords that attackers "
                            "try first. Choose another.", field="password")
    lowered = password.lower()
    if any(part in lowered for part in _personal_parts(email, name)):
        raise RuleViolation("Your password must not contain your name or email address",
                            field="password")
