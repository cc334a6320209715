"""The ``spacy-quotes`` command line (also ``python -m spacy_quotes``).

One module per command, each a thin typer function over a plain library function (as spaCy's
own ``spacy/cli/`` is built); what they share (the app, exit codes, errors, loading the
pipeline, progress) is in :mod:`._util`. The commands:

* ``extract`` (:mod:`.extract`): texts -> quote records in any export format.
* ``exporters`` (:mod:`.exporters`): the output formats and the distribution of each.
* ``convert polnear`` (:mod:`.convert`): the PolNeAR corpus -> ``.spacy`` training data.
* ``evaluate`` (:mod:`.evaluate`): a pipeline's quote metrics on gold data.
* ``render`` (:mod:`.render`): texts -> one self-contained HTML page.
* ``speakers`` (:mod:`.speakers`): who is quoted, one row per speaker.
* ``convert labelstudio|brat`` (:mod:`.convert_tools`), ``annotate export|source|assemble``
  (:mod:`.annotate`): the annotation round trip.
* ``extract-corpus`` (:mod:`.extract_corpus`): whole corpora on Dask (the ``dask`` extra).
* ``serve`` (:mod:`.serve`): the REST API and web page (the ``server`` extra).
* ``distill-label`` (:mod:`.distill`): a teacher's tag probabilities stored with gold docs, for a
  student trained with soft targets.

A new command is a module here with a function decorated ``@app.command("name")`` (or a
sub-app added with ``app.add_typer``), imported below so that it registers. Diagnostics go to
stderr; stdout carries only data (records, tables).
"""
from ._util import EXIT_INPUT_ERRORS, EXIT_USAGE, NAME, CLIError, Progress, app, convert_app, fail, load_pipeline
from .annotate import export_cli as annotate_export_cli
from .convert import convert_polnear_cli
from .convert_tools import convert_brat_cli, convert_labelstudio_cli
from .distill import distill_label_cli
from .evaluate import evaluate_cli, metrics_table, quote_metrics
from .exporters import exporters_cli
from .extract import extract_cli
from .extract_corpus import extract_corpus_cli
from .render import render_cli
from .serve import serve_cli
from .speakers import speakers_cli


def main() -> None:
    """Run the command line (the ``spacy-quotes`` console script)."""
    app(prog_name=NAME)


__all__ = [
    "app", "convert_app", "main", "load_pipeline", "fail", "CLIError", "Progress", "EXIT_INPUT_ERRORS", "EXIT_USAGE",
    "quote_metrics", "metrics_table", "extract_cli", "exporters_cli", "convert_polnear_cli", "evaluate_cli",
    "render_cli", "speakers_cli", "annotate_export_cli", "convert_brat_cli", "convert_labelstudio_cli",
    "extract_corpus_cli", "serve_cli", "distill_label_cli",
]
