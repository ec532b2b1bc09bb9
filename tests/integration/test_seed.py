"""`flask seed` on PostgreSQL: it leaves the planner statistics fresh."""

import pytest
import sqlalchemy as sa

from app.cli.seed import seed
from app.extensions import db
from tests.support import services
from tests.support.apps import make_app, reset_database


@pytest.mark.postgres
def test_seed_leaves_planner_statistics_on_postgresql():
    app = make_app(services.require_postgres())
    try:
        with app.app_context():
            seed(20, 200, 50)
            query = sa.text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
            analyzed = set(db.session.scalars(query))
            db.session.remove()
    finally:
        reset_database(app)
    assert {"user", "post", "followers"} <= analyzed
