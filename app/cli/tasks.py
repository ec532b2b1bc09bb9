"""`flask tasks`: inspect and retry background tasks."""

import click
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import Task


@click.group("tasks")
def tasks_cli():
    """Inspect and retry background tasks."""


@tasks_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include finished tasks.")
def list_tasks(show_all: bool):
    """List running (or all) tasks."""
    query = sa.select(Task).order_by(Task.created_at.desc()).limit(200)
    if not show_all:
        query = query.where(Task.complete.is_(False))
    for task in db.session.scalars(query):
        state = "complete" if task.complete else "failed" if task.failed else f"{task.progress}%"
        click.echo(f"{task.id}  {task.name:<14} user={task.user_id:<6} {state:<9} {task.error or ''}")


@tasks_cli.command("retry")
@click.argument("task_id")
def retry_task(task_id: str):
    """Start a failed task again for its user."""
    task = db.session.get(Task, task_id)
    if task is None:
        raise click.ClickException(f"no task {task_id}")
    if not task.failed:
        raise click.ClickException("only failed tasks can be retried")
    new_task = task.user.launch_task(task.name, task.description or task.name)
    click.echo(f"Started task {new_task.id}.")
    current_app.logger.info("task %s retried as %s", task_id, new_task.id)
