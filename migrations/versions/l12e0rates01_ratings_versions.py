"""ratings versions: a second version per programme, moved by triggers in every transaction that
changes what the ratings report and the comparison across programmes are computed from

Revision ID: l12e0rates01
Revises: k12d0vers001
Create Date: 2026-12-01 16:10:00.000000

``programme_versions.ratings_version`` starts at a random 62-bit number, like ``version``, and
moves in every transaction that changes a programme's rating waves, its ratings or its rating
responses, or the curriculum's modules (every programme's: the modules are shared). The ratings
pages are remembered against both versions (``version`` covers the memberships, the register and
the programme itself); the outcome pages against ``version`` alone, so a rating does not make
the evaluation be computed again.

An update moves it only when a column those pages read changes: a participant who sends the
same answers again (the rating form's upsert rewrites ``updated_at``) leaves it where it was.
The rating summaries are derived from the ratings in the same transaction, so they need no
trigger of their own; ``flask summaries rebuild`` moves every programme's ratings version itself.

SQLite: plain row triggers. PostgreSQL: deferred constraint triggers that move the version once
a transaction (``ratings_bumped_in``), at commit, as in k12d0vers001.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'l12e0rates01'
down_revision = 'k12d0vers001'
branch_labels = None
depends_on = None

_WAVE = "programme_id = (SELECT programme_id FROM rating_waves WHERE id = {r}.wave_id)"
# Each table: which programme a row belongs to (None: every programme), and the columns whose
# change moves the version on an update.
TABLES = {
    "rating_waves": ("programme_id = {r}.programme_id",
                     ("programme_id", "label", "offset_days", "window_days", "opens_on", "closes_on",
                      "opened_at", "closed_at")),
    "module_ratings": (_WAVE, ("wave_id", "membership_id", "module_id", "usefulness", "did_not_attend",
                               "comment")),
    "rating_responses": (_WAVE, ("wave_id", "membership_id", "started_at", "finished_at")),
    "modules": (None, ("key", "position", "title")),
}
RANDOM = {"sqlite": "random() & 4611686018427387903",
          "postgresql": "floor(random() * 4611686018427387903)::bigint"}


def _changed(columns, distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def _sqlite_statements():
    bump = "UPDATE programme_versions SET ratings_version = ratings_version + 1"
    # A new programme's row: both versions random.
    yield "DROP TRIGGER programme_version_created"
    yield ("CREATE TRIGGER programme_version_created AFTER INSERT ON programmes BEGIN "
           "INSERT INTO programme_versions (programme_id, version, ratings_version) "
           f"VALUES (NEW.id, {RANDOM['sqlite']}, {RANDOM['sqlite']}); END")
    for table, (where, columns) in TABLES.items():
        def on(row):
            return bump if where is None else f"{bump} WHERE {where.format(r=row)}"
        yield f"CREATE TRIGGER ratings_version_{table}_insert AFTER INSERT ON {table} BEGIN {on('NEW')}; END"
        both = bump if where is None else f"{bump} WHERE ({where.format(r='OLD')}) OR ({where.format(r='NEW')})"
        yield (f"CREATE TRIGGER ratings_version_{table}_update AFTER UPDATE ON {table} "
               f"WHEN {_changed(columns, 'IS NOT')} BEGIN {both}; END")
        yield f"CREATE TRIGGER ratings_version_{table}_delete AFTER DELETE ON {table} BEGIN {on('OLD')}; END"


def _postgresql_statements():
    def bump(where):
        condition = "" if where is None else f"({where}) AND "
        return ("UPDATE programme_versions SET ratings_version = ratings_version + 1, "
                f"ratings_bumped_in = txid_current() WHERE {condition}"
                "ratings_bumped_in IS DISTINCT FROM txid_current();")

    yield ("CREATE OR REPLACE FUNCTION programme_version_created() RETURNS trigger LANGUAGE plpgsql AS $$ "
           "BEGIN INSERT INTO programme_versions (programme_id, version, ratings_version) "
           f"VALUES (NEW.id, {RANDOM['postgresql']}, {RANDOM['postgresql']}); RETURN NULL; END $$")
    for table, (where, columns) in TABLES.items():
        old = bump(where and where.format(r="OLD"))
        new = bump(where and where.format(r="NEW"))
        yield (f"CREATE FUNCTION ratings_version_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               f"IF TG_OP <> 'INSERT' THEN {old} END IF; IF TG_OP <> 'DELETE' THEN {new} END IF; "
               "RETURN NULL; END $$")
        for event, when in (("INSERT OR DELETE", ""),
                            ("UPDATE", f" WHEN ({_changed(columns, 'IS DISTINCT FROM')})")):
            name = f"ratings_version_{table}_{'update' if event == 'UPDATE' else 'write'}"
            yield (f"CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON {table} "
                   f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW{when} EXECUTE FUNCTION ratings_version_{table}()")


def upgrade():
    dialect = op.get_bind().dialect.name
    # SQLite cannot make a column NOT NULL afterwards without copying the table, which the
    # triggers that write it forbid: it takes a constant default first, overwritten below.
    op.add_column('programme_versions', sa.Column('ratings_version', sa.BigInteger(), nullable=dialect == "postgresql",
                                                  server_default="0" if dialect == "sqlite" else None))
    op.add_column('programme_versions', sa.Column('ratings_bumped_in', sa.BigInteger(), nullable=True))
    op.execute(f"UPDATE programme_versions SET ratings_version = {RANDOM[dialect]}")
    if dialect == "postgresql":
        op.alter_column('programme_versions', 'ratings_version', existing_type=sa.BigInteger(), nullable=False)
    for statement in (_postgresql_statements() if dialect == "postgresql" else _sqlite_statements()):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER ratings_version_{table}_write ON {table}")
            op.execute(f"DROP TRIGGER ratings_version_{table}_update ON {table}")
            op.execute(f"DROP FUNCTION ratings_version_{table}()")
        op.execute("CREATE OR REPLACE FUNCTION programme_version_created() RETURNS trigger LANGUAGE plpgsql "
                   "AS $$ BEGIN INSERT INTO programme_versions (programme_id, version) "
                   f"VALUES (NEW.id, {RANDOM['postgresql']}); RETURN NULL; END $$")
    else:
        rows = op.get_bind().execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ratings_version_%'"))
        for (name,) in rows.all():
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TRIGGER programme_version_created")
        op.execute("CREATE TRIGGER programme_version_created AFTER INSERT ON programmes BEGIN "
                   "INSERT INTO programme_versions (programme_id, version) "
                   f"VALUES (NEW.id, {RANDOM['sqlite']}); END")
    for column in ('ratings_bumped_in', 'ratings_version'):
        op.execute(f"ALTER TABLE programme_versions DROP COLUMN {column}")
