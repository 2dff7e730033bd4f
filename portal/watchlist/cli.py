"""``flask --app wsgi watchlist ...``: put a new watch list in force."""

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.extensions import db

watchlist_cli = AppGroup("watchlist", help="Import the watch list used at intake.")


@watchlist_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_watchlist(path: Path) -> None:
    """Replace the watch list with the entries of the CSV file PATH (docs/screening.md).

    The whole file is checked first; if anything is wrong nothing changes and the list in
    force stays in force.
    """
    from portal.core.keyring import MissingKeyError
    from portal.watchlist.csvfile import WatchListFileError, parse_watchlist
    from portal.watchlist.store import replace_list

    try:
        people = parse_watchlist(path.read_bytes())
    except WatchListFileError as exc:
        raise click.ClickException(
            "the watch list was NOT replaced; the list in force stays in force.\n"
            + "\n".join(exc.problems)
        ) from None
    try:
        watchlist = replace_list(db.session, people)
    except MissingKeyError:
        raise click.ClickException(
            "this host holds no internal key: import the watch list on the internal face"
        ) from None
    db.session.commit()
    click.echo(f"watch list version {watchlist.version} in force: {watchlist.entry_count} entries")
