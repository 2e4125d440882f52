"""program releases (differentially private, frozen); the access log names cases by a keyed
reference destroyed with the case; the coordinators clear of a case's conflicts (class B)

Revision ID: 0010
Revises: 0009

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('releases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('epsilon', sa.Float(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_releases')),
        sa.UniqueConstraint('period', name=op.f('uq_releases_period')),
    )
    with op.batch_alter_table('cases', recreate='never') as batch_op:
        batch_op.add_column(sa.Column('log_key', sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column('leads', sa.Text(), nullable=True))
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('log_key', sa.LargeBinary))
    bind = op.get_bind()
    for (case_id,) in bind.execute(sa.select(cases.c.id)).all():
        bind.execute(cases.update().where(cases.c.id == case_id).values(log_key=secrets.token_bytes(32)))
    with op.batch_alter_table('access_log') as batch_op:
        batch_op.add_column(sa.Column('case_ref', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_access_log_case_ref'), ['case_ref'], unique=False)


def downgrade():
    with op.batch_alter_table('access_log') as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_case_ref'))
        batch_op.drop_column('case_ref')
    with op.batch_alter_table('cases', recreate='never') as batch_op:
        batch_op.drop_column('leads')
        batch_op.drop_column('log_key')
    op.drop_table('releases')
