"""The ``quotes`` pipeline component: factory and trainable pipe."""
import logging
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.vocab import Vocab
from thinc.api import Config, Model, set_dropout_rate
from thinc.types import Floats2d

from ..marks import find_quotations, quote_type
from ..layout import CUE_KEY, QUOTES_KEY, SPEAKER_KEY, empty_quote_attrs, write_quote_groups
from ..quote import install_extensions
from ..speakers import SpeakerResolverConfig, resolve_speakers
from ..tags import TAGS
from .rules import according_to, extend_coordinated_sources, nested_attributions, quoted_commitments
from ..docarrays import paragraph_breaks, sent_ids
from .decode import RoleSpan, tags_to_spans, viterbi_biluo_batch
from .filters import filter_kinds, filter_not_quotes
from .formats import apply_formats, format_rules
from .link import link_spans
from .distill import blend_soft_targets, check_soft_target_weight
from .attribution import StepScores, merge_spans, run_step, step_loss
from ..ml.attribution import has_attribution_step
from ..ml.lexicon import learn_cue_rates
from ..ml.model import reads_lexicon, set_cue_rates
from ..ml.predict import encode_pieces
from ..ml.blas import use_numpy_blas

logger = logging.getLogger("spacy_quotes")

SHIPPED_WEIGHTS = Path(__file__).parent.parent / "model" / "quotes"
PREDICT_BATCH_TOKENS = 8192  # tokens per model call in predict (see QuotePipe.predict)
RECURRENT_BATCH_TOKENS = 32768  # tokens per call of the encoder's LSTM there (ml/predict.py)
LONG_DOC_TOKENS = 4096  # longer documents go through the model in pieces of about _PIECE_TOKENS
_PIECE_TOKENS = 2048  # see QuotePipe.predict


def _long_doc_cuts(doc: Doc, piece: int = 0) -> List[tuple]:
    """[start, end) token ranges that cut a long parsed Doc at sentence starts into pieces of
    about ``piece`` (default ``_PIECE_TOKENS``) tokens, preferring a sentence that opens a
    paragraph within the last quarter before the target (a quotation seldom runs across one)."""
    n = len(doc)
    piece = piece or _PIECE_TOKENS
    starts = numpy.flatnonzero(numpy.diff(sent_ids(doc))) + 1
    if not len(starts):
        return [(0, n)]
    para = starts[paragraph_breaks(doc)[starts - 1]]
    cuts, a = [], 0
    while n - a > piece + piece // 2:
        target = a + piece
        near = para[(para > target - piece // 4) & (para <= target)]
        if len(near):
            b = int(near[-1])
        else:
            after = starts[starts >= target]
            before = starts[(starts > a) & (starts < target)]
            b = int(after[0]) if len(after) and after[0] - target < piece // 2 else (
                int(before[-1]) if len(before) else target)
        if b <= a:
            b = target
        cuts.append((a, b))
        a = b
    cuts.append((a, n))
    return cuts

def _doc_cuts(doc: Doc) -> List[tuple]:
    """The pieces a document goes through the model and the search in: :func:`_long_doc_cuts`
    over LONG_DOC_TOKENS, else the whole document."""
    return _long_doc_cuts(doc) if len(doc) > LONG_DOC_TOKENS else [(0, len(doc))]


def _pieces(owners: Iterable[int], parts: Iterable[List[Any]]) -> tuple:
    """Flatten per-document lists of pieces: (the document index of each piece, the pieces)."""
    owner: List[int] = []
    pieces: List[Any] = []
    for i, doc_parts in zip(owners, parts):
        owner.extend([i] * len(doc_parts))
        pieces.extend(doc_parts)
    return owner, pieces


def _join(n_docs: int, owner: List[int], results: List[numpy.ndarray], empty: numpy.ndarray) -> List[numpy.ndarray]:
    """Per document, its pieces' results concatenated in order (``empty`` where it had none)."""
    per_doc: List[List[numpy.ndarray]] = [[] for _ in range(n_docs)]
    for i, result in zip(owner, results):
        per_doc[i].append(result)
    return [empty if not parts else parts[0] if len(parts) == 1 else numpy.concatenate(parts, axis=0)
            for parts in per_doc]


def _model_outputs(model: Model, pieces: List[Any], vectors_too: bool) -> tuple:
    """The model's tag probabilities of each piece, called on sub-batches of about
    PREDICT_BATCH_TOKENS tokens; with ``vectors_too`` (a model with the attribution step), the
    token vectors of each piece as well (else an empty list)."""
    if vectors_too:  # the encoder's LSTM sees more pieces at once (ml/predict.py)
        H = encode_pieces(model.get_ref("tok2vec"), pieces, PREDICT_BATCH_TOKENS, RECURRENT_BATCH_TOKENS)
        return list(model.get_ref("tag_layer").predict(H)) if H else [], [model.ops.to_numpy(h) for h in H]
    scores: List[Floats2d] = []
    batch: List[Any] = []
    n_tokens = 0
    for piece in pieces + [None]:
        if batch and (piece is None or n_tokens + len(piece) > PREDICT_BATCH_TOKENS):
            scores.extend(model.predict(batch))
            batch, n_tokens = [], 0
        if piece is not None:
            batch.append(piece)
            n_tokens += len(piece)
    return scores, []


default_model_config = """
[model]
@architectures = "spacy_quotes.AttributionTagger.v1"
nO = null

[model.attribution]
@architectures = "spacy_quotes.AttributionStep.v1"
width = 96
hidden = 64
maxout_pieces = 3
n_relations = 3040

[model.tok2vec]
@architectures = "spacy.Tok2Vec.v2"

[model.tok2vec.embed]
@architectures = "spacy_quotes.QuoteEmbed.v2"
width = 96
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE", "POS", "TAG", "DEP", "ENT_TYPE"]
rows = [5000, 1000, 2500, 500, 50, 100, 100, 50]
feature_rows = [8, 2000, 2000, 2000, 2000]
lexicon_rows = [200, 500, 500, 500]
table_width = 48

[model.tok2vec.encode]
@architectures = "spacy_quotes.WindowLSTMEncoder.v1"
width = 96
depth = 3
window_size = 1
maxout_pieces = 3
lstm_depth = 1
"""
DEFAULT_MODEL = Config().from_str(default_model_config)["model"]

REQUIRED_ANNOTATIONS = {
    "DEP": "dependency parses (token.dep, token.head): add a 'parser'",
    "POS": "part-of-speech tags (token.pos): add a 'tagger' and 'attribute_ruler'",
    "LEMMA": "lemmas (token.lemma): add a 'lemmatizer'",
}


@Language.factory(
    "quotes",
    assigns=["doc.spans", "doc._.quotes"],
    requires=["token.dep", "token.head", "token.pos", "token.lemma", "doc.sents"],
    default_config={
        "model": DEFAULT_MODEL,
        "weights": "shipped",
        "link_window": 1,
        "outside_penalty": 0.0,
        "attribution_rules": True,
        "attribution_step": True,
        "filter_not_quotes": True,
        "quote_formats": True,
        "resolve_speakers": True,
        "speaker_config": {},
        "soft_target_weight": 0.0,
        "scorer": {"@scorers": "spacy_quotes.quote_scorer.v1"},
    },
    default_score_weights={
        "quotes_content_f": 0.3,
        "quotes_cue_f": 0.2,
        "quotes_speaker_f": 0.2,
        "quotes_link_acc": 0.3,
        "quotes_content_p": None,
        "quotes_content_r": None,
        "quotes_cue_p": None,
        "quotes_cue_r": None,
        "quotes_speaker_p": None,
        "quotes_speaker_r": None,
        "quotes_content_overlap_f": None,
        "quotes_cue_overlap_f": None,
        "quotes_speaker_overlap_f": None,
        "quotes_speaker_name_acc": None,
    },
)
def make_quotes(
    nlp: Language,
    name: str,
    model: Model[List[Doc], List[Floats2d]],
    weights: Optional[str],
    link_window: int,
    outside_penalty: float,
    attribution_rules: bool,
    attribution_step: bool,
    filter_not_quotes: Union[bool, List[str]],
    quote_formats: Union[bool, List[str]],
    resolve_speakers: bool,
    speaker_config: Dict[str, Any],
    scorer: Optional[Callable],
    soft_target_weight: float = 0.0,
) -> "QuotePipe":
    """Create a ``quotes`` component.

    model (Model[List[Doc], List[Floats2d]]): tag probabilities per token.
    weights (Optional[str]): ``"shipped"`` loads the weights that ship with the package (the
        default model only), a path loads a component directory saved with ``to_disk``, and
        null leaves the model to be initialised (training).
    link_window (int): how many sentences apart a content, its cue and its speaker may be.
    outside_penalty (float): a decoding prior against the outside tag (subtracted from its log
        probability at each token): higher finds more quotes, less precisely. Tuned on
        PolNeAR dev for the shipped model.
    attribution_rules (bool): add the attributions that one tag per token cannot hold, read
        off the parse (:mod:`spacy_quotes.pipeline.rules`: nested in another quote's content,
        a verb of commitment's quoted ``to`` clause, ``according to X`` left without a
        content) and extend a speaker over a coordinated one.
    attribution_step (bool): where the model has the cue-anchored attribution step
        (``spacy_quotes.AttributionTagger.v1``, the shipped model), take each found cue's
        source from it, and its content where the tags have none
        (:mod:`spacy_quotes.pipeline.attribution`); false reads them off the tags alone and
        skips the step (faster on quote-dense text: docs/benchmarks.md).
    filter_not_quotes (Union[bool, List[str]]): drop what a reader would not call an
        attribution, by class: ``false`` none, ``true`` all, or a list of ``nickname``,
        ``title``, ``scare``, ``no_content``, ``plain_object`` (:mod:`spacy_quotes.pipeline.filters`).
        Default true: each class costs PolNeAR dev F at most 0.1 on any role (docs/precision.md).
    quote_formats (Union[bool, List[str]]): read the quote formats of press releases, wire
        copy, interviews and dialogue off the layout, by rule: ``false`` none, ``true`` all, or
        a list of ``paragraph_speakers``, ``signed``, ``introduced``, ``interview``,
        ``inverted_dialogue`` (:mod:`spacy_quotes.pipeline.formats`). Default true, as above.
    resolve_speakers (bool): resolve speaker mentions to names (``speaker_name``).
    speaker_config (Dict[str, Any]): settings of the speaker resolver.
    scorer (Optional[Callable]): the scoring method.
    soft_target_weight (float): training only: where a gold doc carries a teacher's tag
        probabilities (``user_data["quotes_soft"]``, :mod:`spacy_quotes.pipeline.distill`), the
        target is (1 - w) * one-hot gold + w * teacher; 0 trains on the gold alone.
    """
    return QuotePipe(
        nlp.vocab, model, name, weights=weights, link_window=link_window, outside_penalty=outside_penalty,
        attribution_rules=attribution_rules, attribution_step=attribution_step, filter_not_quotes=filter_not_quotes,
        quote_formats=quote_formats, resolve_speakers=resolve_speakers, speaker_config=speaker_config, scorer=scorer,
        soft_target_weight=soft_target_weight,
    )


class QuotePipe(TrainablePipe):
    """Find quotations with their cue and speaker, and link them."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model,
        name: str = "quotes",
        *,
        weights: Optional[str] = None,
        link_window: int = 1,
        outside_penalty: float = 0.0,
        attribution_rules: bool = True,
        attribution_step: bool = True,
        filter_not_quotes: Union[bool, List[str]] = True,
        quote_formats: Union[bool, List[str]] = True,
        resolve_speakers: bool = True,
        speaker_config: Optional[Dict[str, Any]] = None,
        scorer: Optional[Callable] = None,
        soft_target_weight: float = 0.0,
    ) -> None:
        if link_window < 0:
            raise ValueError(f"quotes: link_window must be >= 0, got {link_window}")
        self.vocab = vocab
        self.model = model
        use_numpy_blas(model)  # its matrix products through numpy's BLAS (ml/blas.py)
        self.name = name
        self.scorer = scorer
        self.cfg: Dict[str, Any] = {
            "labels": list(TAGS),
            "link_window": int(link_window),
            "outside_penalty": float(outside_penalty),
            "attribution_rules": bool(attribution_rules),
            "attribution_step": bool(attribution_step),
            "filter_not_quotes": list(filter_kinds(filter_not_quotes)) or False,
            "quote_formats": list(format_rules(quote_formats)) or False,
            "resolve_speakers": bool(resolve_speakers),
            "speaker_config": dict(speaker_config or {}),
            "soft_target_weight": check_soft_target_weight(soft_target_weight),
        }
        self._speaker_config = None
        install_extensions()
        if weights:
            self._load_weights(weights)

    def _load_weights(self, weights: str) -> None:
        path = SHIPPED_WEIGHTS if weights == "shipped" else Path(weights)
        if not (path / "model").exists():
            if weights == "shipped":
                logger.warning("quotes: no shipped weights found at %s; initialise or train the component", path)
                return
            raise ValueError(f"quotes: no trained weights at {path} (expected {path / 'model'})")
        try:
            self.from_disk(path, exclude=["vocab"])  # keeps this component's settings (see from_disk)
        except Exception as err:  # the architecture in the config does not match the weights
            raise ValueError(
                f"quotes: the weights at {path} do not fit this component's model config ({err}). "
                "Use the default model config with weights = \"shipped\", or set weights = null "
                "and train the component."
            ) from err

    # The settings come from the pipeline's config (which `spacy.load(..., config=...)` and
    # `spacy_quotes.load(model=..., **overrides)` override); the copy saved with the weights
    # must not undo them, so loading keeps them and reads only the weights and the labels.
    def _keeping_settings(self, load: Callable[[], Any]) -> "QuotePipe":
        settings = {k: v for k, v in self.cfg.items() if k != "labels"}
        load()
        self.cfg.update(settings)
        self._speaker_config = None
        return self

    def from_disk(self, path, *, exclude=tuple()):  # type: ignore[override]
        return self._keeping_settings(lambda: super(QuotePipe, self).from_disk(path, exclude=exclude))

    def from_bytes(self, bytes_data, *, exclude=tuple()):  # type: ignore[override]
        return self._keeping_settings(lambda: super(QuotePipe, self).from_bytes(bytes_data, exclude=exclude))

    @property
    def labels(self) -> List[str]:
        return list(TAGS)

    @property
    def is_initialized(self) -> bool:
        output = self.model.get_ref("output")
        return output.has_param("W") and output.get_param("W") is not None

    def _check_docs(self, docs: List[Doc]) -> None:
        for doc in docs:
            if len(doc) == 0:
                continue
            missing = [why for attr, why in REQUIRED_ANNOTATIONS.items() if not doc.has_annotation(attr)]
            if missing:
                raise ValueError(
                    f"The '{self.name}' component needs annotations that the pipeline before it "
                    f"did not set: {'; '.join(missing)}. Put it after a full English pipeline, "
                    "e.g. spacy.load('en_core_web_sm') or spacy_quotes.load()."
                )

    def predict(self, docs: Iterable[Doc]) -> List[Floats2d]:
        """Tag probabilities per token.

        docs (Iterable[Doc]): parsed documents.
        RETURNS (List[Floats2d]): one (n_tokens, n_tags) array per doc.
        """
        docs = list(docs)
        if not self.is_initialized:
            raise ValueError(
                f"The '{self.name}' component is not initialised: train it, call nlp.initialize(), "
                "or create it with weights = \"shipped\" (the default)."
            )
        self._check_docs(docs)
        # The model keeps every layer's activations until a call returns (about 17 KB a
        # token): calling it on sub-batches of about PREDICT_BATCH_TOKENS tokens bounds the
        # peak memory whatever the batch size (why 8,192: docs/architecture.md). A document longer than
        # LONG_DOC_TOKENS goes in pieces of about _PIECE_TOKENS tokens cut at sentence starts
        # (paragraph starts where there are any), as Spans of the Doc when the model takes
        # them (its features are read once from the whole Doc), and its probabilities are
        # joined again. Pieces keep the memory bounded and let the LSTM step through several
        # of them side by side, as through several short documents.
        takes_spans = bool(self.model.attrs.get("takes_spans", False))
        nonempty = [(i, doc) for i, doc in enumerate(docs) if len(doc)]
        owner, pieces = _pieces([i for i, _ in nonempty], [
            [doc[a:b] for a, b in _doc_cuts(doc)] if takes_spans else [doc] for _, doc in nonempty])
        step = has_attribution_step(self.model) and self.cfg.get("attribution_step", True)
        scores, vectors = _model_outputs(self.model, pieces, step)
        probs = _join(len(docs), owner, [self.model.ops.to_numpy(score) for score in scores],
                      empty=numpy.zeros((0, len(TAGS)), dtype="f"))
        if not step:
            return probs
        width = vectors[0].shape[1] if vectors else 0
        vectors = _join(len(docs), owner, vectors, empty=numpy.zeros((0, width), dtype="f"))
        return run_step(self.model.get_ref("attribution"), docs, vectors, self._paths(docs, probs), probs,
                        outside_penalty=self.cfg.get("outside_penalty", 0.0))

    def _paths(self, docs: List[Doc], scores: List[numpy.ndarray]) -> List[numpy.ndarray]:
        """The best BILUO path of each document's tag probabilities."""
        # A long document is searched in the pieces the model saw (no span crosses a cut):
        # the pieces go side by side through the batched search like short documents, where
        # one long sequence would take one step of array operations per token.
        owner, pieces = _pieces(range(len(docs)), [
            [probs[a:b] for a, b in (_doc_cuts(doc) if len(probs) == len(doc) else [(0, len(probs))])]
            for doc, probs in zip(docs, scores)])
        piece_paths = viterbi_biluo_batch(pieces, outside_penalty=self.cfg.get("outside_penalty", 0.0))
        return _join(len(docs), owner, piece_paths, empty=numpy.zeros((0,), dtype=numpy.int32))

    def set_annotations(self, docs: Iterable[Doc], scores: List[Floats2d]) -> None:
        """Decode, link and write the quotes into the docs' span groups."""
        docs = list(docs)
        scores = list(scores)
        if scores and isinstance(scores[0], StepScores):  # the model ran the attribution step
            use_step = self.cfg.get("attribution_step", True)
            found = [merge_spans(s.spans, s.per_cue) if use_step else s.spans for s in scores]
        else:
            scores = [numpy.asarray(probs) for probs in scores]
            found = [tags_to_spans(path, probs) for path, probs in zip(self._paths(docs, scores), scores)]
        for doc, spans in zip(docs, found):
            quotations = self._write(doc, spans)
            if self.cfg.get("resolve_speakers", True):
                self._resolve(doc, quotations)

    def _write(self, doc: Doc, spans: List[RoleSpan]) -> Optional[list]:
        """Write the linked spans into the Doc's span groups; return the quotations of its
        text (None where nothing was found, so none were looked for)."""
        if self.cfg.get("attribution_rules", True):
            extra = nested_attributions(doc, spans) + quoted_commitments(doc, spans) + according_to(doc, spans)
            if extra:
                spans = sorted(spans + extra, key=lambda s: (s.start, s.end))
            spans = extend_coordinated_sources(doc, spans)
        contents = [s for s in spans if s.role == "CONTENT"]
        cues = [s for s in spans if s.role == "CUE"]
        speakers = [s for s in spans if s.role == "SOURCE"]
        links = link_spans(doc, contents, cues, speakers, window=self.cfg.get("link_window", 1))
        rules = format_rules(self.cfg.get("quote_formats", False))
        text = doc.text if contents or rules else ""  # Doc.text joins every token: read it once
        if rules:
            contents, cues, speakers, links = apply_formats(doc, contents, cues, speakers, links, rules, text=text)
        quotations = find_quotations(text) if contents else None
        content_spans = [doc[contents[link.content].start:contents[link.content].end] for link in links]
        qtypes = [quote_type(text, span.start_char, span.end_char, quotations or []) for span in content_spans]
        kinds = filter_kinds(self.cfg.get("filter_not_quotes", False))
        if kinds and links:
            kept, _ = filter_not_quotes(doc, contents, cues, links, qtypes, kinds)
            keep = {id(link) for link in kept}
            qtypes = [q for link, q in zip(links, qtypes) if id(link) in keep]
            links = kept
        quote_spans, attrs = [], empty_quote_attrs()
        for link, qtype in zip(links, qtypes):
            c = contents[link.content]
            quote_spans.append(Span(doc, c.start, c.end, label=qtype))
            parts = [c.score]
            if link.cue >= 0:
                parts.append(cues[link.cue].score)
            if link.speaker >= 0:
                parts.append(speakers[link.speaker].score)
            attrs["scores"].append(float(numpy.mean(parts)))
            attrs["cue"].append(link.cue)
            attrs["speaker"].append(link.speaker)
            attrs["speaker_name"].append(None)
            attrs["speaker_id"].append(None)
            attrs["via"].append(-1)
        write_quote_groups(
            doc, quote_spans, attrs, [doc[c.start:c.end] for c in cues], [doc[s.start:s.end] for s in speakers],
            cue_scores=[c.score for c in cues], speaker_scores=[s.score for s in speakers])
        return quotations

    def _resolve(self, doc: Doc, quotations: Optional[list] = None) -> None:
        if self._speaker_config is None:
            self._speaker_config = SpeakerResolverConfig.from_dict(self.cfg.get("speaker_config", {}))
        resolve_speakers(doc, self._speaker_config, quotations)

    # ---- training -------------------------------------------------------------------------

    def _gold_tags(self, example: Example) -> numpy.ndarray:
        """Gold tag index per predicted token; -1 where the gold is unknown (misaligned)."""
        pred = example.predicted
        n = len(pred)
        tags = numpy.zeros(n, dtype=numpy.int32)
        tag_index = {t: i for i, t in enumerate(TAGS)}
        ref = example.reference
        for key, role in ((QUOTES_KEY, "CONTENT"), (CUE_KEY, "CUE"), (SPEAKER_KEY, "SOURCE")):
            if key not in ref.spans:
                continue
            aligned = example.get_aligned_spans_y2x(ref.spans[key], allow_overlap=True)
            for span in aligned:
                if span.end - span.start == 1:
                    tags[span.start] = tag_index[f"U-{role}"]
                else:
                    tags[span.start] = tag_index[f"B-{role}"]
                    tags[span.start + 1:span.end - 1] = tag_index[f"I-{role}"]
                    tags[span.end - 1] = tag_index[f"L-{role}"]
        return tags

    def get_loss(self, examples: Iterable[Example], scores: List[Floats2d]):
        """The gradient of categorical cross-entropy with respect to the softmax's input (the
        tag probabilities minus the target: one-hot gold, or blended with a teacher's by distill.py), and as the loss the sum of that gradient's squares, as spaCy's tagger reports."""
        grads = []
        loss = 0.0
        for eg, probs in zip(examples, scores):
            gold = self._gold_tags(eg)
            target = self.model.ops.alloc2f(*probs.shape)
            if len(gold):
                target[numpy.arange(len(gold)), gold] = 1.0
            target = blend_soft_targets(self.model.ops, target, eg, self.cfg.get("soft_target_weight", 0.0))
            d = probs - target
            grads.append(d)
            loss += float((d ** 2).sum())
        return loss, grads

    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd=None,
        losses: Optional[Dict[str, float]] = None,
    ) -> Dict[str, float]:
        """Learn from a batch of examples."""
        if losses is None:
            losses = {}
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        validate_examples(examples, "QuotePipe.update")
        examples = [eg for eg in examples if len(eg.predicted)]
        if not examples:
            return losses
        set_dropout_rate(self.model, drop)
        docs = [eg.predicted for eg in examples]
        if has_attribution_step(self.model):  # both heads read the same token vectors
            H, backprop_h = self.model.get_ref("tok2vec").begin_update(docs)
            scores, backprop_tags = self.model.get_ref("tag_layer").begin_update(H)
            loss, d_scores = self.get_loss(examples, scores)
            step_l, d_step = step_loss(self.model.get_ref("attribution"), examples, H)
            loss += step_l
            backprop_h([d_tags + d_pairs for d_tags, d_pairs in zip(backprop_tags(d_scores), d_step)])
        else:
            scores, backprop = self.model.begin_update(docs)
            loss, d_scores = self.get_loss(examples, scores)
            backprop(d_scores)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Optional[Language] = None) -> None:
        """Initialise the model from a sample of the training examples."""
        validate_get_examples(get_examples, "QuotePipe.initialize")
        if reads_lexicon(self.model):  # the cue rates of the lemmas in the training data
            set_cue_rates(self.model, learn_cue_rates(
                (eg.predicted, [i for span in eg.get_aligned_spans_y2x(eg.reference.spans.get(CUE_KEY, []),
                                                                     allow_overlap=True)
                                for i in range(span.start, span.end)])
                for eg in get_examples()))
        sample = [eg for eg in islice(get_examples(), 10) if len(eg.predicted)]
        docs = [eg.predicted for eg in sample]
        self._check_docs(docs)
        label_sample = [self.model.ops.alloc2f(len(d), len(TAGS)) for d in docs]
        self.model.initialize(X=docs, Y=label_sample)

    def add_label(self, label: str) -> int:
        raise NotImplementedError("quotes: the tag set is fixed (CONTENT, CUE, SOURCE)")

