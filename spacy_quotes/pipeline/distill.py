"""Teacher/student distillation of the ``quotes`` tagger: soft targets and teacher labelling.

A teacher pipeline (the transformer variant, ``configs/quotes_trf.cfg``) labels gold docs with
its tag probabilities, stored per doc as ``doc.user_data["quotes_soft"]`` (an
(n_tokens, n_tags) float16 array, which a ``DocBin(store_user_data=True)`` keeps). A student
trained with ``soft_target_weight = w`` then learns, on those docs, towards
``(1 - w) * one-hot gold + w * teacher probabilities`` (:func:`blend_soft_targets`, called by
``QuotePipe.get_loss``); docs without them, or whose array does not fit, keep the one-hot gold.
"""
import logging
from typing import Iterable, Iterator, List, Optional, Sequence

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from ..layout import CUE_KEY, QUOTES_KEY, SPEAKER_KEY
from ..tags import TAGS

logger = logging.getLogger("spacy_quotes")

SOFT_KEY = "quotes_soft"  # doc.user_data key of the teacher's tag probabilities
# doc.user_data key of a doc's own soft-target weight: 1.0 on unlabelled text (no gold spans),
# where the teacher's probabilities are the whole target.
SOFT_WEIGHT_KEY = "quotes_soft_weight"
# Components of the base English pipeline: their annotations (tags, parse, lemmas, entities)
# come stored with the gold docs, so labelling does not run them again.
BASE_COMPONENTS = frozenset({"tok2vec", "tagger", "morphologizer", "parser", "senter", "attribute_ruler",
                             "lemmatizer", "ner", "trainable_lemmatizer"})


def soft_targets(example: Example, n_tags: int = len(TAGS)) -> Optional[numpy.ndarray]:
    """The teacher probabilities stored with an example's reference doc, as float32, when they
    fit the predicted doc (one row per token, one column per tag); else None.

    example (Example): a training example.
    n_tags (int): the number of tags.
    RETURNS (Optional[numpy.ndarray]): an (n_tokens, n_tags) array, or None.
    """
    soft = example.reference.user_data.get(SOFT_KEY)
    if soft is None:
        return None
    soft = numpy.asarray(soft, dtype="float32")
    n = len(example.predicted)
    if soft.shape != (n, n_tags) or len(example.reference) != n:
        logger.debug("quotes: soft targets of shape %s do not fit a doc of %d tokens (reference %d) and %d tags; "
                     "using the gold tags alone", soft.shape, n, len(example.reference), n_tags)
        return None
    return soft


def blend_soft_targets(ops, target, example: Example, weight: float):
    """The training target of one example: ``(1 - weight) * target + weight * teacher`` where
    the example's reference doc carries fitting teacher probabilities, else ``target``. A doc
    with its own ``user_data["quotes_soft_weight"]`` (unlabelled text: 1.0) uses that weight.

    ops: the model's ops (the target's array module).
    target: the (n_tokens, n_tags) one-hot gold target.
    example (Example): the example.
    weight (float): the weight of the teacher's probabilities, in [0, 1].
    RETURNS: the target.
    """
    soft = soft_targets(example, target.shape[1]) if weight or SOFT_WEIGHT_KEY in example.reference.user_data else None
    if soft is None:
        return target
    weight = float(example.reference.user_data.get(SOFT_WEIGHT_KEY, weight))
    return (1.0 - weight) * target + weight * ops.asarray2f(soft)


def check_soft_target_weight(weight: float) -> float:
    """``weight`` as a float, after checking it lies in [0, 1]."""
    weight = float(weight)
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"quotes: soft_target_weight must be in [0, 1], got {weight}")
    return weight


def teacher_steps(nlp: Language, parsed: bool = True, pipe_name: str = "quotes") -> List[str]:
    """The components of a teacher pipeline to run on a doc before its ``quotes`` component
    predicts: the ones before it, less the base pipeline's when the doc comes ``parsed``.

    nlp (Language): the teacher pipeline.
    parsed (bool): the docs already carry the base pipeline's annotations.
    pipe_name (str): the name of the teacher's quotes component.
    RETURNS (List[str]): component names, in pipeline order.
    """
    names = nlp.pipe_names
    if pipe_name not in names:
        raise ValueError(f"the teacher pipeline has no '{pipe_name}' component (it has {names})")
    before = names[:names.index(pipe_name)]
    return [name for name in before if not (parsed and name in BASE_COMPONENTS)]


def _work_copy(doc: Doc) -> Doc:
    """A copy of a doc without its gold quote spans and soft targets (what the teacher reads)."""
    copy = doc.copy()
    for key in (QUOTES_KEY, CUE_KEY, SPEAKER_KEY):
        if key in copy.spans:
            del copy.spans[key]
    copy.user_data.pop(SOFT_KEY, None)
    return copy


def _batches(items: Iterable[Doc], size: int) -> Iterator[List[Doc]]:
    batch: List[Doc] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def teacher_probs(nlp: Language, docs: Sequence[Doc], steps: Sequence[str], pipe_name: str = "quotes") -> List[numpy.ndarray]:
    """The teacher's tag probabilities of each doc: ``steps`` run in order on copies of the
    docs, then the quotes component's ``predict``.

    nlp (Language): the teacher pipeline.
    docs (Sequence[Doc]): the docs (not changed).
    steps (Sequence[str]): the components to run first (see :func:`teacher_steps`).
    pipe_name (str): the name of the teacher's quotes component.
    RETURNS (List[numpy.ndarray]): one (n_tokens, n_tags) float32 array per doc.
    """
    work = [_work_copy(doc) for doc in docs]
    for name in steps:
        proc = nlp.get_pipe(name)
        work = list(proc.pipe(work, batch_size=max(1, len(work)))) if hasattr(proc, "pipe") else [proc(d) for d in work]
    scores = nlp.get_pipe(pipe_name).predict(work)
    out = []
    for doc, score in zip(docs, scores):
        probs = getattr(score, "probs", score)  # a model with the attribution step gives StepScores
        probs = numpy.asarray(probs, dtype="float32")
        if probs.shape[0] != len(doc):
            raise ValueError(f"the teacher gave {probs.shape[0]} rows for a doc of {len(doc)} tokens")
        out.append(probs)
    return out


def label_docs(nlp: Language, docs: Iterable[Doc], batch_size: int = 8, parsed: bool = True,
               dtype: str = "float16", pipe_name: str = "quotes", unlabelled: bool = False) -> Iterator[Doc]:
    """Each doc, its annotations and gold spans untouched, with the teacher's tag
    probabilities in ``doc.user_data["quotes_soft"]``.

    nlp (Language): the teacher pipeline (with a ``quotes`` component).
    docs (Iterable[Doc]): the docs; with ``parsed``, they carry the base pipeline's annotations.
    batch_size (int): docs per teacher call.
    parsed (bool): skip the teacher's base components (the docs come parsed).
    dtype (str): the stored array's type.
    pipe_name (str): the name of the teacher's quotes component.
    unlabelled (bool): the docs have no gold quotes: mark them to train on the teacher alone.
    YIELDS (Doc): the labelled docs.
    """
    steps = teacher_steps(nlp, parsed=parsed, pipe_name=pipe_name)
    n_tags = len(TAGS)
    for batch in _batches(docs, max(1, batch_size)):
        for doc, probs in zip(batch, teacher_probs(nlp, batch, steps, pipe_name=pipe_name)):
            if probs.shape[1] != n_tags:
                raise ValueError(f"the teacher gave {probs.shape[1]} tag columns, expected {n_tags}")
            doc.user_data[SOFT_KEY] = probs.astype(dtype)
            if unlabelled:
                doc.user_data[SOFT_WEIGHT_KEY] = 1.0
            yield doc

