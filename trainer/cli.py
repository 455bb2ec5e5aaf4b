"""Flask commands: thin calls into services."""
import logging
import os
import signal
from pathlib import Path

import click
from flask import Flask, current_app

from trainer.clock import utcnow
from trainer.errors import RuleViolation
from trainer import jobs, scheduler, stopping
from trainer import demo
from trainer.services.accounts import accounts
from trainer.services.outcomes import instruments
from trainer.services.participation import activity_summaries
from trainer.services.ratings import rating_summaries
from trainer.services.privacy import anonymisation, audit_trail
from trainer.services.scheduling import curriculum
from trainer.services.system import backup, organisation


def init_app(app: Flask) -> None:
    """Register the commands on ``app``."""
    for command in (create_admin, load_modules, seed_demo, run_jobs, load_instrument_items,
                    run_scheduler, backup_database, audit_group, retention, summaries_group):
        app.cli.add_command(command)


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", help="Display name of the account.")
def create_admin(email: str, name: str) -> None:
    """Create the first admin (password from TRAINER_ADMIN_PASSWORD, or asked for)."""
    password = os.environ.get("TRAINER_ADMIN_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_admin(email, password, name)
    except RuleViolation as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Admin account ready: {user.email}")


@click.command("load-modules")
@click.option("--directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder of module files (default: the project's modules/).")
def load_modules(directory: Path | None) -> None:
    """Validate every module file, then load them all in one transaction."""
    directory = directory or Path(current_app.config["MODULES_DIR"])
    try:
        counts = curriculum.load_modules(directory)
    except curriculum.CurriculumError as exc:
        click.echo("Nothing was loaded. Fix these problems and run the command again:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"Loaded {counts['modules_created'] + counts['modules_updated']} modules "
               f"({counts['modules_created']} new, {counts['modules_updated']} updated) "
               f"with {counts['activities']} activities from {directory}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) if programmes exist.")
def seed_demo(if_empty: bool) -> None:
    """Create demo programmes, people and data on an empty database, and print the sign-ins."""
    if current_app.config.get("TRAINER_ENV") == "production":
        raise click.ClickException("seed-demo refuses to run when TRAINER_ENV=production.")
    if demo.has_programmes():
        if if_empty:
            click.echo("Demo data not loaded: the database already has programmes.")
            return
        raise click.ClickException("The database already has programmes; seed-demo only runs on an "
                                   "empty database.")
    summary = demo.seed(Path(current_app.config["MODULES_DIR"]), now=utcnow(),
                        base_url=current_app.config["BASE_URL"])
    click.echo(summary)


@click.command("run-jobs")
def run_jobs() -> None:
    """Run every scheduled job once, now (safe to repeat: jobs are idempotent)."""
    for job_id, result in jobs.run_all(utcnow()).items():
        click.echo(f"{job_id}: {result}")


@click.command("load-instrument-items")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_instrument_items(file: Path) -> None:
    """Load a licensed questionnaire's item wording from FILE (TOML: key, items) into the database."""
    try:
        instrument = instruments.load_item_text(file)
    except instruments.InstrumentError as exc:
        click.echo("Nothing was loaded. Fix these problems and run the command again:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"Loaded the wording of {instrument.item_count} items of {instrument.title}.")


@click.command("scheduler")
def run_scheduler() -> None:
    """Run the scheduled jobs until stopped (one such process per database).

    Every job runs once at start-up, then on its interval. Ctrl+C or SIGTERM stops it cleanly
    (SIGTERM after the message being sent, if any, is recorded: trainer.stopping).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    signal.signal(signal.SIGTERM, stopping.request_stop)
    click.echo("Scheduler starting (Ctrl+C to stop).")
    try:
        scheduler.run(current_app._get_current_object())
    except (KeyboardInterrupt, SystemExit):
        pass
    click.echo("Scheduler stopped.")


@click.command("backup")
@click.argument("destination", type=click.Path(path_type=Path))
def backup_database(destination: Path) -> None:
    """Back up the SQLite database to DESTINATION (a folder or a new file), safely while it runs."""
    try:
        written = backup.backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], destination,
                                       now=utcnow())
    except RuleViolation as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Backed up to {written}")


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain; exit 1 and list the rows if any was changed or removed."""
    checked, problems = audit_trail.verify()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"The audit trail is intact: {checked} {'row' if checked == 1 else 'rows'} checked.")


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="List what would be anonymised; change nothing.")
def retention(dry_run: bool) -> None:
    """Anonymise programmes closed longer ago than the organisation's retention period (or list them)."""
    months = organisation.retention_months()
    now = utcnow()
    today = now.date()
    due = anonymisation.run(today, months, now=now, dry_run=dry_run)
    verb = "Would anonymise" if dry_run else "Anonymised"
    for item in due:
        click.echo(f"{verb} {item.programme.name}: closed {item.programme.end_date:%-d %B %Y}, kept until "
                   f"{item.kept_until:%-d %B %Y}, {item.participants} "
                   f"{'participant' if item.participants == 1 else 'participants'}")
    if not due:
        click.echo(f"No programme has passed its retention date ({months} months after it closed).")


@click.group("summaries")
def summaries_group() -> None:
    """Summary tables derived from raw rows."""


@summaries_group.command("rebuild")
def summaries_rebuild() -> None:
    """Recompute every summary from the raw rows (after a bulk load or a restore)."""
    count = activity_summaries.rebuild()
    click.echo(f"Rebuilt the activity summaries: {count} {'row' if count == 1 else 'rows'}.")
    count = rating_summaries.rebuild()
    click.echo(f"Rebuilt the rating summaries: {count} {'row' if count == 1 else 'rows'}.")
