"""index open cases by status and counselor (routing's caseload count)

Revision ID: 0007
Revises: 0006

"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Every referral counts each counselor's open cases: with this index the count reads only
    # the open cases' index entries, however many closed cases the years have piled up.
    op.create_index("ix_cases_status_assignee", "cases", ["status", "assignee_id"])


def downgrade():
    op.drop_index("ix_cases_status_assignee", table_name="cases")
