"""`spacy-quotes serve`: the REST API and web page (:mod:`spacy_quotes.server`, the
``server`` extra), run with uvicorn."""
import os
import re
from typing import List, Optional

import typer

from ._util import MODEL_HELP, CLIError, app, fail, load_pipeline

TOKEN_ENV = "SPACY_QUOTES_TOKEN"  # the same name as spacy_quotes.server.TOKEN_ENV (no import: optional extra)
_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000 ** 2, "mib": 1024 ** 2, "gb": 1000 ** 3, "gib": 1024 ** 3}


def parse_size(value: str) -> int:
    """A size in bytes from ``2097152``, ``2MB`` (10^6), ``2MiB`` (2^20), ``500kB``...

    value (str): the size.
    RETURNS (int): bytes.
    RAISES (ValueError): for anything else, or a size under 1 byte.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?i?[bB]?)\s*", value)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {value!r} (examples: 2097152, 2MB, 2MiB, 500kB)")
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size < 1:
        raise ValueError(f"the size must be at least 1 byte: {value!r}")
    return size


@app.command("serve")
def serve_cli(
    host: str = typer.Option("127.0.0.1", "--host", help="The address to bind. Loopback by default: "
                             "pass --host 0.0.0.0 to accept connections from other machines (then set a token)."),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="The port."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Batches processed at once; above 1, "
                                "that many worker processes, each loading the pipeline."),
    token: Optional[str] = typer.Option(None, "--token", help=f"A bearer token every /v1 route requires "
                                        f"(default: ${TOKEN_ENV}, else none). Clients send "
                                        "'Authorization: Bearer TOKEN'."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    max_body: str = typer.Option("2MB", "--max-body", help="The largest request body (413 beyond it)."),
    max_documents: int = typer.Option(100, "--max-documents", min=1, help="The most documents in one request "
                                      "(413 beyond it)."),
    cors_origin: List[str] = typer.Option([], "--cors-origin", help="An origin allowed to call the API from "
                                          "its pages (repeatable; default: none, no CORS headers)."),
) -> None:
    """Serve the quotes over HTTP: `POST /v1/quotes` with `{"text": ...}` or `{"documents":
    [{"id": ..., "text": ...}]}` answers `{"quotes": [records]}` (`?format=csv` and any other
    exporter too); `GET /` is a page to paste an article into and see its quotes;
    `GET /healthz`, `GET /v1/exporters`, `GET /openapi.json`.

    Needs the server extra: pip install 'spacy-quotes[server]'.
    """
    try:
        from ..server import serve
    except ImportError as err:
        fail(str(err))
    try:
        body_limit = parse_size(max_body)
    except ValueError as err:
        fail(f"--max-body: {err}")
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None
    if token is not None and not token.strip():
        fail("--token is empty")
    nlp = None
    if workers == 1:
        typer.echo(f"loading {model or 'the default pipeline'}...", err=True)
        try:
            nlp = load_pipeline(model)
        except CLIError as err:
            fail(str(err))
    try:
        serve(host, port, nlp=nlp, model=model if nlp is None else None, workers=workers, token=token,
              max_body=body_limit, max_documents=max_documents, cors_origins=cors_origin)
    except ValueError as err:
        fail(str(err))
