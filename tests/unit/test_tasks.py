"""The task registry and the tutorial's `launch_task` contract."""

import pytest
import sqlalchemy as sa

from app.email import SEND_EMAIL_JOB
from app.extensions import db
from app.models import Task
from app.tasks import JOBS, TASKS, TaskRunner, deliver_email, export_posts
from tests.support.factories import UserFactory


@pytest.fixture
def started(monkeypatch):
    """Record what the in-process runner would start, instead of starting it."""
    calls = []

    def record(task_id, task, args, kwargs):
        calls.append((task, args, kwargs))

    monkeypatch.setattr(TaskRunner, "_start_thread", staticmethod(record))
    return calls


def test_export_posts_is_registered_under_its_name():
    assert TASKS["export_posts"] is export_posts


def test_launch_task_passes_the_user_id_first(app, started):
    user = UserFactory()
    task = user.launch_task("export_posts", "Exporting posts...")
    assert started == [(export_posts, (user.id,), {})]
    assert (task.name, task.description, task.user_id) == ("export_posts", "Exporting posts...", user.id)


def test_launch_task_passes_further_arguments_after_the_user_id(app, started):
    user = UserFactory()
    user.launch_task("export_posts", "Exporting posts...", 7, note="x")
    assert started == [(export_posts, (user.id, 7), {"note": "x"})]


def test_an_unknown_task_is_refused_before_any_row_is_written(app, started):
    user = UserFactory()
    with pytest.raises(LookupError):
        user.launch_task("no_such_task", "Nothing")
    assert started == []
    assert db.session.scalar(sa.select(sa.func.count(Task.id))) == 0


def test_the_email_job_is_registered_under_the_name_send_email_queues_it_by():
    assert JOBS[SEND_EMAIL_JOB] is deliver_email
