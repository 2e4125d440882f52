"""agency texts (the limits of confidentiality, in the agency's words); signed role grants;
the authenticator's last step sealed to the person

Revision ID: 0009
Revises: 0008

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency_texts',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_agency_texts')),
    )
    with op.batch_alter_table('role_grants') as batch_op:
        batch_op.add_column(sa.Column('signature', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('users') as batch_op:  # was class B: a few seconds of replay lost
        batch_op.drop_column('totp_state')
        batch_op.add_column(sa.Column('totp_state', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('totp_state')
        batch_op.add_column(sa.Column('totp_state', sa.String(length=255), nullable=True))
    with op.batch_alter_table('role_grants') as batch_op:
        batch_op.drop_column('signature')
    op.drop_table('agency_texts')
