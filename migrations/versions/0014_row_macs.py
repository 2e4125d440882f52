"""rows the database cannot forge: the instance's MAC on every account, role row, role
proposal, sign-in session and retired key (keys/rows.py). Empty until `keys adopt` writes it
over the rows as they stand (trust on first use), so an upgraded instance runs `keys adopt`
once, as `make run` does.

Revision ID: 0014
Revises: 0013

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = ('users', 'user_roles', 'role_grants', 'login_sessions', 'retired_user_keys')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('row_mac', sa.LargeBinary(), nullable=True))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('row_mac')
