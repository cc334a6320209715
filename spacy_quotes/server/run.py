"""Running the app with uvicorn: what ``spacy-quotes serve`` does."""
import ipaddress
import logging
from typing import Optional, Sequence

from spacy.language import Language

from .app import DEFAULT_MAX_BODY, DEFAULT_MAX_DOCUMENTS, create_app

logger = logging.getLogger("spacy_quotes")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def is_loopback(host: str) -> bool:
    """host (str): an address or name to bind. RETURNS (bool): whether only this machine can reach it."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    nlp: Optional[Language] = None,
    model: Optional[str] = None,
    workers: int = 1,
    token: Optional[str] = None,
    max_body: int = DEFAULT_MAX_BODY,
    max_documents: int = DEFAULT_MAX_DOCUMENTS,
    cors_origins: Sequence[str] = (),
    log_level: str = "info",
) -> None:
    """Serve the API and the page until interrupted (Ctrl+C).

    host (str): the address to bind; the default is loopback only, and another address (such
        as ``0.0.0.0``) must be asked for.
    port (int): the port (0: any free one).
    nlp (Optional[Language]): a loaded pipeline (``workers`` 1), else ``model`` is loaded.
    model (Optional[str]): the pipeline to load (None: the default one).
    workers (int): batches processed at once (>1: worker processes, each with a pipeline).
    token (Optional[str]): the bearer token every ``/v1`` route needs, or None.
    max_body (int): the largest request body in bytes.
    max_documents (int): the most documents in one request.
    cors_origins (Sequence[str]): origins allowed to call the API from other sites' pages.
    log_level (str): uvicorn's log level.
    """
    import uvicorn

    if not is_loopback(host) and token is None:
        logger.warning("spacy_quotes: serving on %s without a token: anyone who can reach this port can use "
                       "the API (pass --token or set SPACY_QUOTES_TOKEN)", host)
    app = create_app(nlp=nlp, model=model, token=token, max_body=max_body, max_documents=max_documents,
                     workers=workers, cors_origins=cors_origins)
    uvicorn.run(app, host=host, port=port, log_level=log_level, workers=1, server_header=False,
                proxy_headers=False, timeout_graceful_shutdown=30)


__all__ = ["serve", "is_loopback", "DEFAULT_HOST", "DEFAULT_PORT"]
