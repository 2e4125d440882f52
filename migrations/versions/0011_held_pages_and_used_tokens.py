"""pages held for one display after a redirect, and the one-time tokens of forms acted on

Revision ID: 0011
Revises: 0010

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('held_pages',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('box', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_held_pages')),
    )
    op.create_table('used_tokens',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_used_tokens')),
    )
    with op.batch_alter_table('used_tokens') as batch_op:
        batch_op.create_index(batch_op.f('ix_used_tokens_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('used_tokens') as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_tokens_at'))
    op.drop_table('used_tokens')
    op.drop_table('held_pages')
