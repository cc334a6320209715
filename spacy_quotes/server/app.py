"""The FastAPI application of ``spacy-quotes serve``: :func:`create_app`.

Routes:

* ``POST /v1/quotes``: ``{"text": ...}`` or ``{"documents": [{"id": ..., "text": ...}, ...]}``
  with options (``min_score``, ``types``, ``cue_kind``, ``html``) -> ``{"quotes": [records]}``
  (QUOTES_JSONL.md records); ``?format=<exporter>`` answers in that export format instead
  (any installed exporter plugin, third-party ones too).
* ``GET /v1/exporters``: the export formats.
* ``GET /healthz``: status, model name and version, batching figures (no token needed).
* ``GET /openapi.json``: the OpenAPI schema. The interactive docs pages (``/docs``,
  ``/redoc``) are off: FastAPI loads their scripts from a CDN, and the server fetches nothing
  from outside.
* ``GET /``: the web page (:mod:`.page`).

Every error is JSON, ``{"detail": "<message>"}`` (validation errors add ``"errors"``): 413
for a body over ``max_body`` bytes or more than ``max_documents`` documents, 400 for a body
that is not UTF-8, 422 for invalid JSON or a request without text, 401 without the token.
No route reads or writes a file the request names: exporters write into a private temporary
folder that is read back and removed.
"""
import hmac
import json
import logging
import mimetypes
import re
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Dict, FrozenSet, List, Optional, Sequence, Union

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from spacy.language import Language
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from ..about import __version__
from ..plugins import export_records, get_exporters
from .batching import Batcher, PipelineError, PipelinePool
from .page import STATIC_DIR, page_html, render_css
from .schema import QuotesRequest, QuotesResponse, request_schema
from .worker import CUE_KIND_FIELD, Filters, WorkItem

logger = logging.getLogger("spacy_quotes")

DEFAULT_MAX_BODY = 2 * 1024 * 1024  # bytes
DEFAULT_MAX_DOCUMENTS = 100
TOKEN_ENV = "SPACY_QUOTES_TOKEN"
API_PREFIX = "/v1"
_SURROGATE = re.compile("[\ud800-\udfff]")
_MEDIA_TYPES = {".jsonl": "application/x-ndjson", ".ndjson": "application/x-ndjson", ".csv": "text/csv",
                ".json": "application/json", ".html": "text/html", ".txt": "text/plain", ".tsv": "text/tab-separated-values"}
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob:; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class _Settings:
    def __init__(self, token: Optional[str], max_body: int, max_documents: int) -> None:
        self.token = token
        self.max_body = max_body
        self.max_documents = max_documents


def create_app(
    nlp: Optional[Language] = None,
    model: Optional[str] = None,
    token: Optional[str] = None,
    max_body: int = DEFAULT_MAX_BODY,
    max_documents: int = DEFAULT_MAX_DOCUMENTS,
    workers: int = 1,
    *,
    cors_origins: Sequence[str] = (),
    max_batch_docs: int = 64,
) -> FastAPI:
    """The REST API and web page of spacy-quotes as a FastAPI app (run it with uvicorn, or
    ``spacy-quotes serve``).

    nlp (Optional[Language]): a loaded pipeline (base + ``quotes``), run in one thread of
        this process; needs ``workers=1``.
    model (Optional[str]): with nlp None, the pipeline to load (None: the default one): here
        for ``workers=1``, in each of the worker processes otherwise.
    token (Optional[str]): when set, every ``/v1`` route needs ``Authorization: Bearer <token>``.
    max_body (int): the largest request body in bytes (larger: 413).
    max_documents (int): the most documents in one request (more: 413).
    workers (int): batches processed at once (>1: that many worker processes, each with its
        own pipeline).
    cors_origins (Sequence[str]): origins allowed to call the API from a browser (none by
        default: no CORS headers at all).
    max_batch_docs (int): the most documents in one ``nlp.pipe`` batch.
    RETURNS (FastAPI): the app.
    """
    if max_body < 1 or max_documents < 1:
        raise ValueError(f"max_body and max_documents must be positive, got {max_body} and {max_documents}")
    if token is not None and not token.strip():
        raise ValueError("token is empty")
    settings = _Settings(token, max_body, max_documents)
    pool = PipelinePool(nlp=nlp, model=model, workers=workers)
    batcher = Batcher(pool, max_batch_docs=max_batch_docs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await pool.start()
        try:
            yield
        finally:
            await batcher.close()
            await run_in_threadpool(pool.close)

    app = FastAPI(
        title="spacy-quotes",
        version=__version__,
        description=("Find quotations in news text (content, cue, speaker). Records follow QUOTES_JSONL.md: "
                     "`text == document[start:end]`."),
        docs_url=None, redoc_url=None, openapi_url="/openapi.json", lifespan=lifespan,
    )
    app.state.pool = pool
    app.state.batcher = batcher
    app.state.settings = settings
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)

    bearer = HTTPBearer(auto_error=False, description="The token given to `spacy-quotes serve --token`.")

    def check_token(credentials: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> None:
        if settings.token is None:
            return
        given = credentials.credentials if credentials is not None else ""
        if not hmac.compare_digest(given.encode("utf-8"), settings.token.encode("utf-8")):
            raise HTTPException(401, "a valid bearer token is required (Authorization: Bearer <token>)",
                                headers={"WWW-Authenticate": "Bearer"})

    api = [Depends(check_token)]

    @app.post(
        f"{API_PREFIX}/quotes", dependencies=api, response_model=QuotesResponse, tags=["quotes"],
        summary="Find the quotes in texts",
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": request_schema()}}}},
        responses={
            200: {"content": {"text/csv": {}, "application/x-ndjson": {}},
                  "description": "The records; with `format`, the exporter's output."},
            400: {"description": "The body is not UTF-8."},
            401: {"description": "No or a wrong bearer token."},
            413: {"description": "The body or the number of documents is over the limit."},
            422: {"description": "Invalid JSON, no text, a bad option or an unknown format."},
        },
    )
    async def quotes(
        request: Request,
        format: Optional[str] = Query(None, description="An exporter name (GET /v1/exporters): answer in that "
                                      "format instead of JSON."),
    ) -> Any:
        """Find the quotes in one text (``{"text": ...}``) or several (``{"documents": [{"id": ...,
        "text": ...}]}``) and answer ``{"quotes": [records...]}``, in document order, then quote
        order. ``doc_id`` is the document's ``id`` (else its 1-based position). Options:
        ``min_score``, ``types``, ``cue_kind`` (applied where the record has a ``cue_kind``
        field), ``html`` (also the documents drawn as HTML, as ``spacy-quotes render`` does)."""
        exporter = None
        if format is not None:
            exporters = get_exporters()
            if format not in exporters:
                raise HTTPException(422, f"unknown format '{format}'; known formats: {', '.join(exporters)}")
            exporter = exporters[format]
        body = await _read_body(request, settings.max_body)
        req = _parse_request(body, settings.max_documents)
        filters = Filters(
            min_score=req.min_score,
            types=frozenset(req.types) if req.types is not None else None,
            cue_kinds=_as_set(req.cue_kind),
        )
        docs = req.input_texts()
        want_html = req.html and exporter is None
        items = [WorkItem(doc, filters, want_html, f"doc-{i + 1}") for i, doc in enumerate(docs)]
        try:
            results = await batcher.submit(items)
        except PipelineError as err:
            raise HTTPException(500, str(err)) from None
        failed = [(doc, res.error) for doc, res in zip(docs, results) if res.error is not None]
        if failed:
            names = "; ".join(f"document '{doc.doc_id}': {error}" for doc, error in failed)
            raise HTTPException(500, f"the pipeline failed on {len(failed)} of {len(docs)} documents: {names}")
        records = [record for res in results for record in res.records]
        if exporter is not None:
            data = await run_in_threadpool(_export, exporter.name, exporter.extension, records)
            ext = exporter.extension or ""
            media = _MEDIA_TYPES.get(ext.lower()) or mimetypes.guess_type(f"x{ext}")[0] or "application/octet-stream"
            if media.startswith("text/") or media in ("application/x-ndjson", "application/json"):
                media += "; charset=utf-8"
            return Response(data, media_type=media,
                            headers={"Content-Disposition": f'attachment; filename="quotes{_safe_ext(ext)}"'})
        answer: Dict[str, Any] = {"quotes": records}
        warnings = []
        if filters.cue_kinds is not None and not any(res.has_cue_kind for res in results) and records:
            warnings.append(f"cue_kind: the records have no '{CUE_KIND_FIELD}' field (this pipeline does not set "
                            "it), so they were not filtered by it")
        if warnings:
            answer["warnings"] = warnings
        if want_html:
            answer["html"] = "\n".join(res.html or "" for res in results)
        return JSONResponse(answer)

    @app.get(f"{API_PREFIX}/exporters", dependencies=api, tags=["quotes"], summary="The export formats")
    async def exporters() -> Dict[str, Any]:
        """The export formats ``POST /v1/quotes?format=`` takes, built-in and from plugins."""
        found = await run_in_threadpool(get_exporters)
        return {"exporters": [
            {"name": e.name, "description": e.description, "extension": e.extension, "distribution": e.distribution}
            for e in found.values()
        ]}

    @app.get("/healthz", tags=["server"], summary="Whether the server is up, and its model")
    async def healthz() -> Dict[str, Any]:
        """Status, the model's name and version, and the batching figures. It needs no token
        and answers while documents are being processed."""
        return {"status": "ok", **pool.info, "workers": pool.workers,
                "worker_processes": pool.processes, "batching": batcher.stats.as_dict()}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(page_html(token_required=settings.token is not None, info=pool.info),
                            headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"})

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name == "render.css":
            content = render_css()
        else:
            path = STATIC_DIR / name
            if "/" in name or "\\" in name or name.startswith(".") or path.suffix not in _STATIC_TYPES or not path.is_file():
                raise HTTPException(404, "Not Found")
            content = path.read_text(encoding="utf-8")
        return Response(content, media_type=_STATIC_TYPES[Path(name).suffix],
                        headers={"Cache-Control": "no-cache"})

    return app


# --- reading a request -----------------------------------------------------------------


async def _read_body(request: Request, limit: int) -> bytes:
    """The request body, or 413 as soon as it is over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise HTTPException(400, f"bad Content-Length header: {declared!r}") from None
        if size > limit:
            raise HTTPException(413, f"the request body is {size:,} bytes; the limit is {limit:,} bytes")
    chunks: List[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the request body is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _parse_request(body: bytes, max_documents: int) -> QuotesRequest:
    """Decode, parse and validate the body of ``POST /v1/quotes``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise HTTPException(400, f"the request body is not valid UTF-8: {err.reason} at byte {err.start} "
                            f"(0x{body[err.start:err.end].hex()})") from None
    if not text.strip():
        raise HTTPException(422, 'the request body is empty; send JSON: {"text": "..."} or {"documents": [...]}')
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise HTTPException(422, f"the request body is not valid JSON: {err.msg} (line {err.lineno}, "
                            f"column {err.colno})") from None
    except ValueError as err:
        raise HTTPException(422, f"the request body is not valid JSON: {err}") from None
    except RecursionError:
        raise HTTPException(422, "the request body is not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise HTTPException(422, f'expected a JSON object ({{"text": ...}} or {{"documents": [...]}}), '
                            f"got {_json_type(data)}")
    documents = data.get("documents")
    if isinstance(documents, list) and len(documents) > max_documents:
        raise HTTPException(413, f"{len(documents):,} documents in one request; the limit is {max_documents:,}")
    bad = _surrogate_at(data)
    if bad is not None:
        raise HTTPException(400, f"{bad} holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff): "
                            "not valid Unicode text")
    try:
        req = QuotesRequest.model_validate(data)
    except ValidationError as err:
        errors = [{k: e[k] for k in ("loc", "msg", "type") if k in e}
                  for e in err.errors(include_url=False, include_input=False, include_context=False)]
        raise HTTPException(422, {"message": "invalid request: " + "; ".join(_error_line(e) for e in errors),
                                  "errors": errors}) from None
    ids = [doc.doc_id for doc in req.input_texts()]
    duplicates = sorted({i for i in ids if ids.count(i) > 1}) if len(set(ids)) != len(ids) else []
    if duplicates:
        raise HTTPException(422, f"two documents have the same id: {', '.join(repr(d) for d in duplicates[:5])}")
    return req


def _surrogate_at(value: Any, where: str = "the body") -> Optional[str]:
    """RETURNS (Optional[str]): where in the parsed JSON a string (or key) holds a lone
    surrogate, or None. The JSON is at most ``max_body`` bytes and already parsed, so its
    depth is within the parser's (and so this function's) recursion limit."""
    stack: List[Any] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path
        elif isinstance(item, dict):
            for key, sub in item.items():
                if _SURROGATE.search(key):
                    return f"a key of {path}"
                stack.append((sub, f"{path}.{key}" if path != "the body" else key))
        elif isinstance(item, list):
            stack.extend((sub, f"{path}[{i}]") for i, sub in enumerate(item))
    return None


def _json_type(value: Any) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__)


def _error_line(error: Dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",)) or "body"
    return f"{loc}: {error.get('msg', 'invalid')}"


def _as_set(value: Union[None, str, List[str]]) -> Optional[FrozenSet[str]]:
    if value is None:
        return None
    return frozenset([value] if isinstance(value, str) else value)


def _safe_ext(ext: str) -> str:
    return ext if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", ext or "") else ""


def _export(name: str, extension: str, records: List[Dict[str, Any]]) -> bytes:
    """Run an exporter into a private temporary folder and RETURN (bytes) what it wrote."""
    with tempfile.TemporaryDirectory(prefix="spacy-quotes-export-") as folder:
        path = Path(folder) / f"quotes{_safe_ext(extension)}"
        try:
            export_records(iter(records), format=name, path=str(path))
        except Exception as err:
            logger.exception("spacy_quotes: server: exporter '%s' failed", name)
            raise HTTPException(500, f"the exporter '{name}' failed: {type(err).__name__}: {err}") from None
        return path.read_bytes() if path.exists() else b""


# --- errors as JSON --------------------------------------------------------------------


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
    message = "invalid request: " + "; ".join(_error_line(e) for e in errors)
    return JSONResponse({"detail": message, "errors": errors}, status_code=422)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("spacy_quotes: server: %s %s failed", request.method, request.url.path)
    return JSONResponse({"detail": f"internal server error: {type(exc).__name__}"}, status_code=500)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail: Any = exc.detail
    body = ({"detail": detail["message"], "errors": detail.get("errors", [])}
            if isinstance(detail, dict) and "message" in detail else {"detail": detail})
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


__all__ = ["create_app", "DEFAULT_MAX_BODY", "DEFAULT_MAX_DOCUMENTS", "TOKEN_ENV", "PAGE_CSP"]
