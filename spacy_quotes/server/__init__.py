"""``spacy-quotes serve``: the quotes of texts over HTTP (a REST API and a web page).

An optional extra: ``pip install "spacy-quotes[server]"`` (FastAPI and uvicorn). ::

    from spacy_quotes.server import create_app
    app = create_app(nlp)            # or create_app(model="path/to/pipeline", workers=2)
    # uvicorn.run(app, host="127.0.0.1", port=8000)

The modules, in the order a request goes through them: :mod:`.app` (routes, limits, token,
errors), :mod:`.schema` (the request and response bodies), :mod:`.batching` (the queue that
batches requests and the thread or processes where the pipeline runs), :mod:`.worker` (texts
-> records -> filtered records and HTML, with :mod:`spacy_quotes.runner` and
:mod:`spacy_quotes.render`), :mod:`.page` (the web page) and :mod:`.run` (uvicorn).
"""
try:
    import fastapi  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as err:  # pragma: no cover - depends on the install
    raise ImportError(
        f"spacy-quotes serve needs the server extra ({err.name} is missing): pip install 'spacy-quotes[server]'"
    ) from err

from .app import DEFAULT_MAX_BODY, DEFAULT_MAX_DOCUMENTS, TOKEN_ENV, create_app
from .run import serve

__all__ = ["create_app", "serve", "DEFAULT_MAX_BODY", "DEFAULT_MAX_DOCUMENTS", "TOKEN_ENV"]
