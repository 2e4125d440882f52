"""training, walled off from everything confidential: the help-seeking policy's versions and
acknowledgments, one reminder each, the daily bulletins and who answered them (never which
answer). Every table points only at accounts (users) and at each other.

Revision ID: 0013
Revises: 0012

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bulletins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('situation', sa.String(length=1000), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('why', sa.String(length=1000), nullable=False),
    sa.Column('ask', sa.String(length=300), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins')),
    sa.UniqueConstraint('published_on', name=op.f('uq_bulletins_published_on'))
    )
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletins_position'), ['position'], unique=False)

    op.create_table('bulletin_answers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('bulletin_id', sa.Integer(), nullable=False),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['bulletin_id'], ['bulletins.id'], name=op.f('fk_bulletin_answers_bulletin_id_bulletins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bulletin_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'bulletin_id', name=op.f('pk_bulletin_answers'))
    )
    with op.batch_alter_table('bulletin_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_answers_bulletin_id'), ['bulletin_id'], unique=False)

    op.create_table('policy_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('changes', sa.String(length=500), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_policy_versions_published_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_versions')),
    sa.UniqueConstraint('number', name=op.f('uq_policy_versions_number'))
    )
    op.create_table('policy_acknowledgments',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('acknowledged_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_policy_acknowledgments_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['policy_versions.id'], name=op.f('fk_policy_acknowledgments_version_id_policy_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'version_id', name=op.f('pk_policy_acknowledgments'))
    )
    with op.batch_alter_table('policy_acknowledgments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_acknowledgments_version_id'), ['version_id'], unique=False)

    op.create_table('policy_reminders',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_policy_reminders_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['policy_versions.id'], name=op.f('fk_policy_reminders_version_id_policy_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'version_id', name=op.f('pk_policy_reminders'))
    )


def downgrade():
    op.drop_table('policy_reminders')
    with op.batch_alter_table('policy_acknowledgments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_acknowledgments_version_id'))

    op.drop_table('policy_acknowledgments')
    op.drop_table('policy_versions')
    with op.batch_alter_table('bulletin_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletin_answers_bulletin_id'))

    op.drop_table('bulletin_answers')
    with op.batch_alter_table('bulletins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletins_position'))

    op.drop_table('bulletins')
