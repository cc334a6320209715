"""`spacy-quotes exporters`: the output formats and the distribution each comes from."""
import typer
from wasabi import table

from ..plugins import get_exporters
from ._util import app, fail


@app.command("exporters")
def exporters_cli() -> None:
    """List the output formats of `extract --format`: name, file extension, description and
    the distribution (package) that provides each."""
    try:
        exporters = get_exporters()
    except ValueError as err:  # two installed plugins register the same format name
        fail(str(err))
    rows = [
        (name, exp.extension or "", exp.description or "", exp.distribution or "")
        for name, exp in sorted(exporters.items())
    ]
    typer.echo(table(rows, header=("format", "extension", "description", "from"), divider=True, max_col=80))
