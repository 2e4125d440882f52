"""storage and operators are not trusted: signed keys, endorsed roles, role grants, unlinkable
sessions and indexes, coarse case times, a keyed access log

Revision ID: 0008
Revises: 0007

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('key_signature', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('session_epoch', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('totp_state', sa.String(length=255), nullable=True))
        batch_op.drop_column('totp_last_step')  # a sign-in time in clear: now class B
        batch_op.alter_column('case_index', existing_type=sa.LargeBinary(), nullable=True)
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_epoch', sa.LargeBinary))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).all():
        bind.execute(
            users.update().where(users.c.id == user_id).values(session_epoch=secrets.token_bytes(16))
        )
    with op.batch_alter_table('users') as batch_op:
        batch_op.alter_column('session_epoch', existing_type=sa.LargeBinary(), nullable=False)

    with op.batch_alter_table('user_roles') as batch_op:
        batch_op.add_column(sa.Column('endorsement', sa.LargeBinary(), nullable=True))

    op.create_table('role_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.Enum('officer', 'supervisor', 'counselor', 'coordinator', 'admin', name='grant_role', native_enum=False, length=20), nullable=False),
        sa.Column('proposed_by', sa.Integer(), nullable=True),
        sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_grants_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants')),
    )
    with op.batch_alter_table('role_grants') as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grants_user_id'), ['user_id'], unique=False)

    # Sessions named their account and when they began: they are rebuilt, and everyone signs
    # in again once.
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
    op.create_table('login_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_tag', sa.LargeBinary(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('wrapped_private_key', sa.LargeBinary(), nullable=False),
        sa.Column('enrol_secret', sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sqlite_with_rowid=False,
    )

    op.create_table('case_indexes',
        sa.Column('handle', sa.LargeBinary(length=32), nullable=False),
        sa.Column('box', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('handle', name=op.f('pk_case_indexes')),
        sqlite_with_rowid=False,
    )

    with op.batch_alter_table('cases') as batch_op:
        batch_op.add_column(sa.Column('times', sa.String(length=255), nullable=True))
    # Clear creation times to the hour (the exact time of a case of an earlier release is not
    # kept: its first-contact deadline is counted from the hour, which only makes it earlier).
    if bind.dialect.name == 'postgresql':
        op.execute("UPDATE cases SET created_at = date_trunc('hour', created_at)")
    else:
        op.execute("UPDATE cases SET created_at = strftime('%Y-%m-%d %H:00:00.000000', created_at)")

    with op.batch_alter_table('access_log') as batch_op:
        batch_op.alter_column('case_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mac_version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('audit_head') as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))

    with op.batch_alter_table('retired_user_keys') as batch_op:
        batch_op.alter_column('case_index', existing_type=sa.LargeBinary(), nullable=True)


def downgrade():
    # retired_user_keys.case_index and access_log.case_id stay nullable: rows written since
    # (keys retired after indexes moved out, account events that name no case) hold NULL there,
    # and the earlier release never writes NULL, so it works with them as they are.
    with op.batch_alter_table('audit_head') as batch_op:
        batch_op.drop_column('mac')
    with op.batch_alter_table('access_log') as batch_op:
        batch_op.drop_column('mac_version')
        batch_op.drop_column('account_id')
    with op.batch_alter_table('cases') as batch_op:
        batch_op.drop_column('times')
    op.drop_table('case_indexes')
    op.drop_table('login_sessions')
    op.create_table('login_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('wrapped_private_key', sa.LargeBinary(length=128), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    )
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('role_grants') as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grants_user_id'))
    op.drop_table('role_grants')
    with op.batch_alter_table('user_roles') as batch_op:
        batch_op.drop_column('endorsement')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('totp_state')
        batch_op.drop_column('session_epoch')
        batch_op.drop_column('key_signature')
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    # (case_index stays nullable: indexes moved to case_indexes cannot be moved back)
