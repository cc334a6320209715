"""`spacy-quotes evaluate`: a pipeline's quote metrics on gold data."""
import json
from pathlib import Path
from typing import Any, Dict, Optional

import typer
from wasabi import table

from ..corpus import create_quote_corpus_reader
from ..quote import QUOTE_TYPES
from ._util import CLIError, MODEL_HELP, app, fail, load_pipeline

ROLES = ("content", "cue", "speaker")  # the metric names' role part (quotes_<role>_f)


def quote_metrics(scores: Dict[str, Any]) -> Dict[str, Any]:
    """The quote metrics of ``nlp.evaluate`` (the ``quotes_*`` keys, plus ``speed``).

    scores (Dict[str, Any]): the scores.
    RETURNS (Dict[str, Any]): the quote metrics.
    """
    metrics = {key: value for key, value in scores.items() if key.startswith("quotes_")}
    if "speed" in scores:
        metrics["speed"] = scores["speed"]
    return metrics


def metrics_table(metrics: Dict[str, Any]) -> str:
    """A plain-text table of quote metrics: exact and overlap P/R/F per role, link and
    speaker-name accuracy, recall per quote type.

    metrics (Dict[str, Any]): the ``quotes_*`` scores.
    RETURNS (str): the table.
    """
    def pct(value: Any) -> str:
        return "-" if value is None else f"{100 * float(value):.1f}"

    rows = []
    for role in ROLES:
        rows.append(
            (role,)
            + tuple(pct(metrics.get(f"quotes_{role}_{m}")) for m in ("p", "r", "f"))
            + tuple(pct(metrics.get(f"quotes_{role}_overlap_{m}")) for m in ("p", "r", "f"))
        )
    out = [table(rows, header=("role", "P", "R", "F", "overlap P", "overlap R", "overlap F"),
                 aligns=("l", "r", "r", "r", "r", "r", "r"), divider=True)]
    other = [
        ("link accuracy", pct(metrics.get("quotes_link_acc"))),
        ("speaker name accuracy", pct(metrics.get("quotes_speaker_name_acc"))),
    ]
    other += [(f"{t} recall (exact)", pct(metrics.get(f"quotes_{t}_content_r"))) for t in QUOTE_TYPES]
    if metrics.get("quotes_not_quote_n") is not None:
        other.append(("not-quotes reported as quotes", f"{metrics['quotes_not_quote_fp']} "
                      f"({pct(metrics['quotes_not_quote_fp_rate'])}% of {metrics['quotes_not_quote_n']})"))
        for kind, c in (metrics.get("quotes_not_quote_per_kind") or {}).items():
            other.append((f"  {kind}", f"{c['fp']} of {c['n']}"))
    if metrics.get("quotes_n_gold") is not None:
        other.append(("gold quotes", str(metrics["quotes_n_gold"])))
    if metrics.get("speed") is not None:
        other.append(("words per second", f"{metrics['speed']:.0f}"))
    out.append(table(other, aligns=("l", "r")))
    return "\n".join(out)


@app.command("evaluate")
def evaluate_cli(
    data: Path = typer.Argument(..., metavar="DATA", help="Gold data: a .spacy DocBin or an annotation .jsonl file."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the metrics as JSON to this file."),
) -> None:
    """Evaluate a pipeline's quotes against gold data: precision, recall and F-score of
    contents, cues and speakers (exact and overlapping), link and speaker-name accuracy."""
    if not data.is_file():
        fail(f"{data}: no such file")
    if data.suffix not in (".spacy", ".jsonl"):
        fail(f"{data}: expected a .spacy or .jsonl file")
    try:
        nlp = load_pipeline(model)
    except CLIError as err:
        fail(str(err))
    try:
        examples = list(create_quote_corpus_reader(data)(nlp))
    except (ValueError, OSError, KeyError) as err:
        fail(f"cannot read gold data: {err}" if str(data) in str(err) else f"{data}: cannot read gold data: {err}")
    if not examples:
        fail(f"{data}: no documents")
    metrics = quote_metrics(nlp.evaluate(examples))
    typer.echo(f"{len(examples)} documents from {data}")
    typer.echo(metrics_table(metrics))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        typer.echo(f"metrics written to {output}", err=True)
