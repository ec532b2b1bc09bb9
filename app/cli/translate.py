"""`flask translate`: create, update and compile the message catalogues with Babel's Python API."""

import re
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
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
    # pybabel skips folders starting with "_" by default, which would miss app/templates/_macros.
    ignored = ["--ignore-dirs", ".* node_modules"]
    run_pybabel("extract", "-F", babel_cfg, *keywords, *ignored, "--no-location", "-o", str(POT_FILE), str(PROJECT_DIR))


@click.group("translate")
def translate_cli():
    """Translation and localization commands."""


@translate_cli.command()
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


@translate_cli.command()
def update():
    """Merge new and changed strings into every catalogue."""
    extract_messages()
    try:
        if any(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")):
            run_pybabel("update", "-i", str(POT_FILE), "-d", str(TRANSLATIONS_DIR))
    finally:
        POT_FILE.unlink(missing_ok=True)
    click.echo("Catalogues updated.")


@translate_cli.command()
def compile():
    """Build the .mo files the app reads."""
    if not any(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")):
        click.echo("No catalogues to compile.")
        return
    run_pybabel("compile", "-d", str(TRANSLATIONS_DIR))
    click.echo("Catalogues compiled.")
