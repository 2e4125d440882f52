"""case ids are never reused on SQLite (AUTOINCREMENT)

Revision ID: 0006
Revises: 0005

"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL sequences never hand out an id twice; SQLite reuses the highest id after a
    # delete unless the table is AUTOINCREMENT, which needs the table rebuilt.
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("cases", recreate="always",
                                  table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("cases", recreate="always",
                                  table_kwargs={"sqlite_autoincrement": False}):
            pass
