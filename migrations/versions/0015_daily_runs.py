"""one table of jobs: the daily jobs claim their UTC day, so the scheduler and `flask run-jobs`
(cron) run them once a day between them

Revision ID: 0015
Revises: 0014

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'daily_runs',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_runs')),
    )


def downgrade():
    op.drop_table('daily_runs')
