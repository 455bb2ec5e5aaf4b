"""programme data versions, moved by triggers in every transaction that writes what the
evaluation page is computed from

Revision ID: k12d0vers001
Revises: j12a0index01
Create Date: 2026-12-01 13:30:00.000000

Each programme has one row in programme_versions. It starts at a random 62-bit number (so a
programme id used again after a deletion never meets its predecessor's version) and goes up by
one in every transaction that inserts, updates or deletes a row the evaluation page reads. The
page's figures are remembered against (programme, version): since the version moves in the
writing transaction itself, a remembered page is never older than the data it was read with.

SQLite runs one writer at a time: plain row triggers. PostgreSQL runs writers concurrently: the
triggers are deferred constraint triggers, so the version's row lock is taken at commit, after
every other row lock of the transaction (a lock taken at the first write would make two writers
of one programme wait on each other in opposite orders); and a transaction moves the version
once (``bumped_in``), however many rows it writes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'k12d0vers001'
down_revision = 'j12a0index01'
branch_labels = None
depends_on = None

_DIRECT = "programme_id = {r}.programme_id"
_MEMBER = "programme_id = (SELECT programme_id FROM memberships WHERE id = {r}.membership_id)"
# Which programme a row of each table belongs to, as a condition on programme_versions.
TABLES = {
    "programmes": "programme_id = {r}.id",
    "memberships": _DIRECT,
    "participant_information": _DIRECT,
    "outcome_waves": _DIRECT,
    "programme_instruments": _DIRECT,
    "evaluation_plans": _DIRECT,
    "training_days": _DIRECT,
    "consents": _MEMBER,
    "outcome_responses": _MEMBER,
    "activity_summaries": _MEMBER,
    "day_attendance": _MEMBER,
    "session_attendance": _MEMBER,
    "outcome_scores": "programme_id = (SELECT m.programme_id FROM outcome_responses resp JOIN memberships m "
                      "ON m.id = resp.membership_id WHERE resp.id = {r}.response_id)",
    "evaluation_plan_versions": "programme_id = (SELECT programme_id FROM evaluation_plans WHERE id = {r}.plan_id)",
    "training_sessions": "programme_id = (SELECT programme_id FROM training_days WHERE id = {r}.day_id)",
}
# A user's name is shown on the evaluation plan's deviations: a change of name moves the
# versions of the user's programmes (and nothing else of users does: a sign-in writes users too).
USERS = "programme_id IN (SELECT programme_id FROM memberships WHERE user_id = {r}.id)"


def _sqlite_statements():
    bump = "UPDATE programme_versions SET version = version + 1 WHERE "
    yield ("CREATE TRIGGER programme_version_created AFTER INSERT ON programmes BEGIN "
           "INSERT INTO programme_versions (programme_id, version) "
           "VALUES (NEW.id, random() & 4611686018427387903); END")
    for table, where in TABLES.items():
        new, old = where.format(r="NEW"), where.format(r="OLD")
        if table != "programmes":
            yield f"CREATE TRIGGER programme_version_{table}_insert AFTER INSERT ON {table} BEGIN {bump}{new}; END"
        yield (f"CREATE TRIGGER programme_version_{table}_update AFTER UPDATE ON {table} "
               f"BEGIN {bump}({old}) OR ({new}); END")
        if table != "programmes":
            yield f"CREATE TRIGGER programme_version_{table}_delete AFTER DELETE ON {table} BEGIN {bump}{old}; END"
    yield (f"CREATE TRIGGER programme_version_users_update AFTER UPDATE OF display_name ON users "
           f"BEGIN {bump}({USERS.format(r='OLD')}); END")


def _postgresql_statements():
    def function(name, body):
        return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} "
                f"RETURN NULL; END $$")

    def bump(where):
        return ("UPDATE programme_versions SET version = version + 1, bumped_in = txid_current() "
                f"WHERE ({where}) AND bumped_in IS DISTINCT FROM txid_current();")

    yield function("programme_version_created",
                   "INSERT INTO programme_versions (programme_id, version) "
                   "VALUES (NEW.id, floor(random() * 4611686018427387903)::bigint);")
    yield ("CREATE TRIGGER programme_version_created AFTER INSERT ON programmes "
           "FOR EACH ROW EXECUTE FUNCTION programme_version_created()")
    for table, where in [*TABLES.items(), ("users", USERS)]:
        yield function(f"programme_version_{table}",
                       f"IF TG_OP <> 'INSERT' THEN {bump(where.format(r='OLD'))} END IF; "
                       f"IF TG_OP <> 'DELETE' THEN {bump(where.format(r='NEW'))} END IF;")
        events = "UPDATE OF display_name" if table == "users" else "INSERT OR UPDATE OR DELETE"
        yield (f"CREATE CONSTRAINT TRIGGER programme_version_{table} AFTER {events} ON {table} "
               f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION programme_version_{table}()")


def upgrade():
    op.create_table('programme_versions',
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('bumped_in', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'],
                                name=op.f('fk_programme_versions_programme_id_programmes'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('programme_id', name=op.f('pk_programme_versions'))
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    start = "floor(random() * 4611686018427387903)::bigint" if postgresql else "random() & 4611686018427387903"
    op.execute(f"INSERT INTO programme_versions (programme_id, version) SELECT id, {start} FROM programmes")
    for statement in (_postgresql_statements() if postgresql else _sqlite_statements()):
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP TRIGGER programme_version_created ON programmes")
        op.execute("DROP FUNCTION programme_version_created()")
        for table in [*TABLES, "users"]:
            op.execute(f"DROP TRIGGER programme_version_{table} ON {table}")
            op.execute(f"DROP FUNCTION programme_version_{table}()")
    else:
        rows = op.get_bind().execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'programme_version_%'"))
        for (name,) in rows.all():
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table('programme_versions')
