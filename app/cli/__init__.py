"""Command-line tools: `flask translate`, `flask user` and `flask tasks`."""

import re
from pathlib import Path

import click
import sqlalchemy as sa
from babel.messages.frontend import CommandLineInterface
from flask import Flask, current_app

from app.extensions import db

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP_DIR = PROJECT_DIR / "app"
TRANSLATIONS_DIR = APP_DIR / "translations"
POT_FILE = PROJECT_DIR / "messages.pot"
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")


def run_pybabel(*args: str) -> None:
    """Run a pybabel command through Babel's Python API, failing loudly."""
    try:
        CommandLineInterface().run(["pybabel", "-q", *args])
    except SystemExit as exc:
        if exc.code:
            raise click.ClickException(f"pybabel {args[0]} failed") from exc


def extract_messages() -> None:
    """Collect every marked string into messages.pot."""
    # babel.cfg's patterns (`app/**.py`) are relative to the folder scanned: scan the project, not `app/`.
    babel_cfg = str(PROJECT_DIR / "babel.cfg")
    keywords = ["-k", "_l", "-k", "lazy_gettext"]
    run_pybabel("extract", "-F", babel_cfg, *keywords, "--no-location", "-o", str(POT_FILE), str(PROJECT_DIR))


def register(app: Flask) -> None:
    """Attach the command groups to `app`."""
    app.cli.add_command(translate)
    app.cli.add_command(user_cli)
    app.cli.add_command(tasks_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(seed_command)


@click.group()
def translate():
    """Translation and localization commands."""


@translate.command()
@click.argument("lang")
def init(lang: str):
    """Create a catalogue for a new language."""
    if not LANGUAGE_CODE.fullmatch(lang):
        raise click.BadParameter(f"{lang!r} is not a language code such as 'es' or 'pt_BR'", param_hint="LANG")
    if (TRANSLATIONS_DIR / lang).exists():
        raise click.ClickException(f"a catalogue for {lang!r} exists already; use 'flask translate update'")
    extract_messages()
    try:
        run_pybabel("init", "-i", str(POT_FILE), "-d", str(TRANSLATIONS_DIR), "-l", lang)
    finally:
        POT_FILE.unlink(missing_ok=True)
    click.echo(f"Created {TRANSLATIONS_DIR / lang}")


@translate.command()
def update():
    """Merge new and changed strings into every catalogue."""
    extract_messages()
    try:
        if any(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")):
            run_pybabel("update", "-i", str(POT_FILE), "-d", str(TRANSLATIONS_DIR))
    finally:
        POT_FILE.unlink(missing_ok=True)
    click.echo("Catalogues updated.")


@translate.command()
def compile():
    """Build the .mo files the app reads."""
    if not any(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")):
        click.echo("No catalogues to compile.")
        return
    run_pybabel("compile", "-d", str(TRANSLATIONS_DIR))
    click.echo("Catalogues compiled.")


@click.group("user")
def user_cli():
    """Manage user accounts."""


@user_cli.command("create")
@click.argument("username")
@click.argument("email")
@click.password_option()
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
def create_user(username: str, email: str, password: str, admin: bool):
    """Create a user account."""
    from app.models import User
    from app.validators import is_valid_username

    if not is_valid_username(username):
        raise click.BadParameter("use 1-64 letters, digits, underscores, dots and hyphens", param_hint="USERNAME")
    if db.session.scalar(User.by_username(username)) is not None:
        raise click.ClickException(f"the username {username!r} is taken")
    if db.session.scalar(sa.select(User.id).where(User.email == email.strip().lower())) is not None:
        raise click.ClickException(f"the email address {email!r} is taken")
    user = User(username=username, email=email, is_admin=admin)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created user {user.username} (id {user.id}){' as an administrator' if admin else ''}.")


@click.group("tasks")
def tasks_cli():
    """Inspect and retry background tasks."""


@tasks_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include finished tasks.")
def list_tasks(show_all: bool):
    """List running (or all) tasks."""
    from app.models import Task

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
    from app.models import Task

    task = db.session.get(Task, task_id)
    if task is None:
        raise click.ClickException(f"no task {task_id}")
    if not task.failed:
        raise click.ClickException("only failed tasks can be retried")
    new_task = task.user.launch_task(task.name, task.description or task.name, task.user_id)
    click.echo(f"Started task {new_task.id}.")
    current_app.logger.info("task %s retried as %s", task_id, new_task.id)


@click.group("search")
def search_cli():
    """Rebuild and inspect the search index."""


@search_cli.command("reindex")
@click.option(
    "--backend",
    type=click.Choice(["configured", "database", "elasticsearch"]),
    default="configured",
    show_default=True,
    help="Which backend to rebuild.",
)
def reindex_command(backend: str):
    """Rebuild the posts index in bulk."""
    import time

    from app import search
    from app.models import Post

    chosen = _search_backend(backend)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
    started = time.perf_counter()
    try:
        with click.progressbar(length=total, label=f"Indexing posts ({chosen.name})") as bar:
            done = search.reindex(Post, backend=chosen, progress=bar.update)
    except Exception as exc:
        raise click.ClickException(f"the {chosen.name} search backend failed: {exc}") from exc
    elapsed = max(time.perf_counter() - started, 1e-9)
    click.echo(f"Indexed {done} posts in {elapsed:.1f} s ({done / elapsed:,.0f} posts/s).")


@search_cli.command("status")
def status_command():
    """Show the backend, pending changes and document counts."""
    from app import search

    state = search.status()
    click.echo(f"backend: {state['backend']}")
    click.echo(f"pending changes: {state['pending']}")
    for index, counts in state["indexes"].items():
        click.echo(f"{index}: {counts['rows']} rows, {counts['indexed']} indexed")


@search_cli.command("sync")
def sync_command():
    """Apply the pending index changes now."""
    from app import search

    applied = search.replay_pending(limit=1_000_000)
    click.echo(f"Applied {applied} pending change(s).")


def _search_backend(name: str):
    from app import search
    from app.services.search.database import DatabaseBackend

    if name == "configured":
        return search.get_backend()
    if name == "database":
        return DatabaseBackend()
    url = current_app.config.get("ELASTICSEARCH_URL")
    if not url:
        raise click.ClickException("ELASTICSEARCH_URL is not set")
    from app.services.search.elasticsearch import ElasticsearchBackend

    return ElasticsearchBackend(url)


@click.command("seed")
@click.option("--users", default=100, show_default=True, help="Users to create.")
@click.option("--posts", default=2000, show_default=True, help="Posts to create.")
@click.option("--follows", default=None, type=int, help="Follow relations (default: 10 per user).")
@click.option("--seed", "seed_value", default=1, show_default=True, help="Random seed: the same seed, the same data.")
def seed_command(users: int, posts: int, follows: int | None, seed_value: int):
    """Fill the database with realistic demo data (password: microblog-demo)."""
    import time

    from app.seed import DEMO_PASSWORD, seed

    if users < 1 or posts < 0 or (follows or 0) < 0:
        raise click.BadParameter("counts must be positive")
    follows = users * 10 if follows is None else follows
    started = time.perf_counter()
    bars = {}

    def progress(stage: str, count: int) -> None:
        if stage not in bars:
            for bar in bars.values():
                bar.render_finish()
            total = {"users": users, "posts": posts, "follows": follows}[stage]
            bars[stage] = click.progressbar(length=total, label=f"{stage:<8}")
            bars[stage].render_progress()
        bars[stage].update(count)

    try:
        created = seed(users, posts, follows, seed_value, progress)
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        raise click.ClickException(f"seed {seed_value} was used on this database already; pick another --seed") from exc
    for bar in bars.values():
        bar.render_finish()
    elapsed = time.perf_counter() - started
    click.echo(
        f"Created {created['users']} users, {created['posts']} posts and {created['follows']} follows "
        f"in {elapsed:.1f} s. Every seeded user's password is {DEMO_PASSWORD!r}."
    )
