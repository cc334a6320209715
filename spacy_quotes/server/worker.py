"""Where the pipeline runs for the server: texts -> filtered quote records (and HTML).

Everything here is plain Python over spaCy (no web framework), so the same function runs in
the server's pipeline thread (``workers=1``) and in worker processes (``workers>1``, each with
its own pipeline, loaded once by :func:`init_worker`). The records are those of
``spacy-quotes extract`` (:func:`spacy_quotes.runner.pipe_records`: long texts are split at
paragraph boundaries beyond ``max_length``, plugins' ``process_record`` applied); the HTML is
``spacy-quotes render``'s article (:func:`spacy_quotes.render.render_doc` over
:func:`spacy_quotes.render.doc_from_records`).
"""
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Optional

from spacy.language import Language

from ..about import __version__
from ..inputs import InputText
from ..loading import load
from ..render import doc_from_records, render_doc
from ..runner import pipe_records

logger = logging.getLogger("spacy_quotes")

# The record field the ``cue_kind`` filter reads. Records have it only where a pipeline or a
# ``process_record`` plugin sets it; a record without it is kept (it cannot be filtered).
CUE_KIND_FIELD = "cue_kind"


@dataclass(frozen=True)
class Filters:
    """Which records a request keeps.

    min_score (Optional[float]): keep records whose ``score`` is at least this.
    types (Optional[FrozenSet[str]]): keep these quote types only.
    cue_kinds (Optional[FrozenSet[str]]): keep records whose ``cue_kind`` is one of these;
        records without a ``cue_kind`` field are kept.
    """

    min_score: Optional[float] = None
    types: Optional[FrozenSet[str]] = None
    cue_kinds: Optional[FrozenSet[str]] = None

    def keep(self, record: Dict[str, Any]) -> bool:
        """record (Dict[str, Any]): a quote record. RETURNS (bool): whether to keep it."""
        if self.min_score is not None and float(record.get("score", 0.0)) < self.min_score:
            return False
        if self.types is not None and record.get("type") not in self.types:
            return False
        if self.cue_kinds is not None and CUE_KIND_FIELD in record and record[CUE_KIND_FIELD] not in self.cue_kinds:
            return False
        return True


@dataclass
class WorkItem:
    """One document of a request.

    doc (InputText): the document.
    filters (Filters): which of its records to return.
    html (bool): also draw it as an HTML article.
    anchor (str): the article's element id (unique within the request).
    """

    doc: InputText
    filters: Filters = field(default_factory=Filters)
    html: bool = False
    anchor: str = "doc-1"


@dataclass
class WorkResult:
    """What came out of one document.

    records (List[Dict[str, Any]]): its kept records, in quote order.
    error (Optional[str]): why the pipeline could not process it, or None.
    html (Optional[str]): its ``<article>``, when asked for.
    has_cue_kind (bool): whether any of its records (before filtering) had a ``cue_kind``.
    """

    records: List[Dict[str, Any]] = field(default_factory=list)
    error: Optional[str] = None
    html: Optional[str] = None
    has_cue_kind: bool = False


def process_items(nlp: Language, items: List[WorkItem], *, batch_size: Optional[int] = None) -> List[WorkResult]:
    """Run the pipeline over the documents of one batch (from one or several requests) with
    one ``nlp.pipe`` call, then filter and draw each document as its request asked.

    nlp (Language): the pipeline.
    items (List[WorkItem]): the documents.
    batch_size (Optional[int]): ``nlp.pipe`` batch size (None: the pipeline's default).
    RETURNS (List[WorkResult]): one per item, in order. A document the pipeline fails on gets
        ``error`` set; the others of the batch are processed all the same.
    """
    results: List[WorkResult] = []
    for item, result in zip(items, pipe_records(nlp, (i.doc for i in items), batch_size=batch_size, skip_errors=True)):
        if result.error is not None:
            logger.warning("spacy_quotes: server: %s: %s", item.doc.source, result.error)
            results.append(WorkResult(error=result.error))
            continue
        kept = [r for r in result.records if item.filters.keep(r)]
        html = None
        if item.html:
            doc = doc_from_records(nlp, item.doc.text, kept, doc_id=item.doc.doc_id)
            html = render_doc(doc, anchor=item.anchor)
        results.append(WorkResult(kept, None, html, any(CUE_KIND_FIELD in r for r in result.records)))
    return results


def pipeline_info(nlp: Language) -> Dict[str, Any]:
    """What ``/healthz`` says about the pipeline.

    nlp (Language): the pipeline.
    RETURNS (Dict[str, Any]): model name and version, pipes, spacy-quotes version.
    """
    meta = nlp.meta
    return {
        "model": f"{meta.get('lang', nlp.lang)}_{meta.get('name', 'pipeline')}",
        "model_version": str(meta.get("version", "")),
        "pipes": list(nlp.pipe_names),
        "max_length": int(nlp.max_length),
        "spacy_quotes_version": __version__,
    }


# --- worker processes (workers > 1) ----------------------------------------------------

_worker_nlp: Optional[Language] = None


def init_worker(model: Optional[str]) -> None:
    """Load the pipeline of a worker process (the pool's initializer).

    model (Optional[str]): a saved pipeline, or None for the default one.
    """
    global _worker_nlp
    _worker_nlp = load(model)


def worker_process_items(items: List[WorkItem]) -> List[WorkResult]:
    """:func:`process_items` on the worker process's own pipeline."""
    if _worker_nlp is None:
        raise RuntimeError("the worker process has no pipeline (init_worker did not run)")
    return process_items(_worker_nlp, items)


def worker_info() -> Dict[str, Any]:
    """:func:`pipeline_info` of the worker process's own pipeline."""
    if _worker_nlp is None:
        raise RuntimeError("the worker process has no pipeline (init_worker did not run)")
    return pipeline_info(_worker_nlp)
