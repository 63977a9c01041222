"""report details and values as entered, per case version

Two nullable JSON columns on ``case_versions``:

* ``report_details``: the optional patient and clinician fields printed on a report
  (name, date of birth, record number, author). Stored with the case in the
  database, never in the case file, never logged.
* ``entered_values``: quantities as the user typed them (``"36 mmol/mol"``), so the
  form and the report show them back in the unit they were entered in.

Revision ID: 0003
Revises: 0001 (the lead re-chains after 0002 at merge)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002_security_and_concurrency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_versions") as batch:
        batch.add_column(sa.Column("report_details", sa.JSON, nullable=True))
        batch.add_column(sa.Column("entered_values", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_versions") as batch:
        batch.drop_column("entered_values")
        batch.drop_column("report_details")
