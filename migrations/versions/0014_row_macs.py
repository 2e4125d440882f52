"""rows the database cannot forge, and nothing in the database engine's bookkeeping that ties
a person to a request (issue 23):

- the instance's MAC on every account, role row, role proposal, sign-in session and retired key
  (keys/rows.py). Empty until `keys adopt` writes it over the rows as they stand (trust on
  first use), so an upgraded instance runs `keys adopt` once, as `make run` does;
- the authenticator's last step moves off the account row to `authenticator_steps`, under a
  handle only the person's private key derives, so signing in never writes the account row.
  The steps kept so far are dropped (as 0009 did): a code used in the last 90 seconds could be
  used once more, once;
- an account, its role rows and its proposals name the access log's latest account event about
  it (`event_seq`, under the MAC), so an earlier state put back from an older copy is refused;
  the access log is searched by account (every account event names one).

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
EVENTS = ('users', 'user_roles', 'role_grants')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('row_mac', sa.LargeBinary(), nullable=True))
            if table in EVENTS:
                batch_op.add_column(
                    sa.Column('event_seq', sa.Integer(), server_default='0', nullable=False)
                )
    with op.batch_alter_table('access_log') as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_account_id'), ['account_id'], unique=False)
    op.create_table(
        'authenticator_steps',
        sa.Column('handle', sa.LargeBinary(length=32), nullable=False),
        sa.Column('box', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('handle', name=op.f('pk_authenticator_steps')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('totp_state')


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('totp_state', sa.LargeBinary(), nullable=True))
    op.drop_table('authenticator_steps')
    with op.batch_alter_table('access_log') as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_account_id'))
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('row_mac')
            if table in EVENTS:
                batch_op.drop_column('event_seq')
