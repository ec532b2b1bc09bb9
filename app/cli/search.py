"""`flask search`: rebuild, inspect and catch up the search index."""

import time

import click
import sqlalchemy as sa
from flask import current_app

from app import search
from app.extensions import db
from app.models import Post
from app.search.backends import SearchBackend, create_backend


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
    state = search.status()
    click.echo(f"backend: {state['backend']}")
    click.echo(f"pending changes: {state['pending']}")
    for index, counts in state["indexes"].items():
        click.echo(f"{index}: {counts['rows']} rows, {counts['indexed']} indexed")


@search_cli.command("sync")
def sync_command():
    """Apply the pending index changes now."""
    applied = search.replay_pending(limit=1_000_000)
    click.echo(f"Applied {applied} pending change(s).")


def _search_backend(name: str) -> SearchBackend:
    if name == "configured":
        return search.get_backend()
    try:
        return create_backend(name, current_app.config, search.searchable_models())
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
