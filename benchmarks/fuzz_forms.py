"""The form fuzzer's long run: at least 5,000 malformed submissions across every role's forms.

Run: .venv/bin/python benchmarks/fuzz_forms.py [--submissions 5000] [--seed 1] [--database-url URL]
It builds its own SQLite database in a temporary folder (or uses the EMPTY database at
--database-url, e.g. a PostgreSQL one), loads the demo data as ``flask seed-demo`` does, then signs
in as each demo role (and signed out), reads every page it can reach and posts every form with
malformed values (tests/fuzzing.py), round after round, until it has made the number of
submissions asked for. It prints the counts of responses by status class and every failure (a
response of 500 or more, or the marker ``<x-fuzz>`` reflected unescaped); it exits 1 if any.
CSRF is switched off so that the malformed values reach the forms themselves. The suite runs a
seeded sample of the same fuzzer (tests/web/test_fuzz_forms.py).
"""
import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from tests import fuzzing  # noqa: E402
from trainer import create_app  # noqa: E402
from trainer.config import normalise_database_url  # noqa: E402


def main() -> int:
    """Fuzz until the target number of submissions; print the counts; 1 if anything failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # the app logs each handled error; the report says enough
    with tempfile.TemporaryDirectory() as folder:
        url = normalise_database_url(args.database_url or f"sqlite:///{folder}/fuzz.sqlite3")
        app = create_app({"TESTING": True, "SECRET_KEY": "fuzz", "SQLALCHEMY_DATABASE_URI": url,
                          "WTF_CSRF_ENABLED": False, "BASE_URL": "http://localhost",
                          "SERVER_NAME": None})
        started = time.monotonic()
        report = fuzzing.Report()
        with app.app_context():
            upgrade()
            round_number = 0
            while report.submissions < args.submissions:
                round_number += 1
                fuzzing.run(app, ROOT / "modules", per_form=10, seed=args.seed + round_number,
                            report=report)
                print(f"round {round_number}: {report.submissions} submissions so far", flush=True)
        print(f"Fuzzed for {time.monotonic() - started:.0f} s on {url.split(':', 1)[0]}.")
        print(report.summary())
        return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
