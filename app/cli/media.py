"""`flask media`: look after the stored images."""

from datetime import timedelta

import click

from app import media


@click.group("media")
def media_cli():
    """Look after the images on posts."""


@media_cli.command("prune")
@click.option("--hours", type=click.IntRange(min=1), default=24, show_default=True, help="Minimum age of what goes.")
def prune_command(hours: int):
    """Remove images never attached to a post, and stored files with no image row."""
    report = media.prune(timedelta(hours=hours))
    for key in report.unattached:
        click.echo(f"removed unattached image {key}")
    for name in report.orphan_files:
        click.echo(f"removed orphan file {name}")
    click.echo(f"Removed {len(report.unattached)} unattached image(s) and {len(report.orphan_files)} orphan file(s).")
