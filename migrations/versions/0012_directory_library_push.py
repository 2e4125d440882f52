"""the officer chooses: public counselor profiles, public resources, the wellness library and
Web Push subscriptions

Revision ID: 0012
Revises: 0011

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('counselor_profiles') as batch_op:
        batch_op.add_column(sa.Column('serves', sa.JSON(), nullable=False, server_default='["members"]'))
        batch_op.add_column(sa.Column('published', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('public_name', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('background', sa.String(length=600), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('photo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('photo_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('resources') as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('topics', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('serves', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('text_number', sa.String(length=40), nullable=False, server_default=''))
    op.create_table('articles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('summary', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('published', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_articles_updated_by_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
        sa.UniqueConstraint('slug', name=op.f('uq_articles_slug')),
    )
    op.create_table('push_subscriptions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('endpoint_hash', sa.String(length=64), nullable=False),
        sa.Column('box', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_push_subscriptions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
        sa.UniqueConstraint('endpoint_hash', name=op.f('uq_push_subscriptions_endpoint_hash')),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table('push_subscriptions') as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscriptions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('push_subscriptions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscriptions_user_id'))
    op.drop_table('push_subscriptions')
    op.drop_table('articles')
    with op.batch_alter_table('resources') as batch_op:
        for column in ('text_number', 'phone', 'serves', 'topics', 'public'):
            batch_op.drop_column(column)
    with op.batch_alter_table('counselor_profiles') as batch_op:
        for column in ('photo_version', 'photo', 'background', 'public_name', 'hidden', 'published', 'serves'):
            batch_op.drop_column(column)
