"""Command-line tools: `flask translate`, `user`, `tasks`, `search`, `media`, `federation` and `seed`."""

from flask import Flask

from app.cli.federation import federation_cli
from app.cli.media import media_cli
from app.cli.search import search_cli
from app.cli.seed import seed_command
from app.cli.tasks import tasks_cli
from app.cli.translate import translate_cli
from app.cli.users import user_cli


def init_app(app: Flask) -> None:
    """Attach the command groups to `app`."""
    app.cli.add_command(translate_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(tasks_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(media_cli)
    app.cli.add_command(federation_cli)
    app.cli.add_command(seed_command)
