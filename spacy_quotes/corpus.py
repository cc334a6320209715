"""Corpora: the PolNeAR brat converter and the training/evaluation reader.

PolNeAR (``data/{train,dev,test}/text/*.txt`` + ``attributions/<stem>_<annotator>.ann``) is
brat standoff: ``T`` lines hold Source / Cue / Content spans (possibly discontinuous:
``Content 10 20;25 40``), ``E`` lines link them into one attribution. Each fragment of a content
becomes one quote (a split quote gives two quotes with the same cue and speaker); every cue and
source fragment goes into its role's span group, and each quote links to the first fragment of
its attribution's cue and source. The documents are parsed with the base pipeline so that the
gold docs carry the same POS / dependency / entity annotations the component sees at run time.
"""
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span
from spacy.training import Example
from spacy.util import registry

from .marks import find_quotations, quote_type
from .annotations import annotations_to_docs, read_annotation_jsonl
from .base import load_base
from .layout import CUE_KEY, NOT_QUOTE_KEY, QUOTES_KEY, SPEAKER_KEY, write_quote_groups

logger = logging.getLogger("spacy_quotes")

Offsets = List[Tuple[int, int]]


@dataclass
class BratAttribution:
    """One attribution relation (an ``E`` line) with its spans' fragments."""

    content: Offsets = field(default_factory=list)
    cue: Offsets = field(default_factory=list)
    source: Offsets = field(default_factory=list)


@dataclass
class BratStandoff:
    """The lines of a brat ``.ann`` file that matter here, by kind.

    spans (Dict[str, Tuple[str, Offsets]]): ``T`` lines: id -> (label, fragments); a
        discontinuous span (``Content 10 20;25 40``) has several fragments.
    relations (List[Tuple[str, str, List[Tuple[str, str]]]]): ``R`` lines: (id, type,
        [(role, T id), ...]), e.g. ``("R1", "Cue", [("Arg1", "T1"), ("Arg2", "T2")])``.
    events (List[Tuple[str, str, List[Tuple[str, str]]]]): ``E`` lines: (id, type,
        [(role, T id), ...]); the first pair is the trigger (``Attribution:T4``).
    """

    spans: Dict[str, Tuple[str, Offsets]] = field(default_factory=dict)
    relations: List[Tuple[str, str, List[Tuple[str, str]]]] = field(default_factory=list)
    events: List[Tuple[str, str, List[Tuple[str, str]]]] = field(default_factory=list)


_BRAT_ID = re.compile(r"[TRE]\d+\t")


def parse_brat(text: str, *, strict: bool = False, source: str = "") -> BratStandoff:
    """Parse brat standoff annotations (the text of a ``.ann`` file).

    ``T``, ``R`` and ``E`` lines (an id such as ``T12`` and a tab) are kept; the others (``#``
    notes, ``A`` attributes, ``N`` normalisations, ``*`` equivalences, and the continuation
    of a span text that holds a line break) are skipped.

    text (str): the file's text.
    strict (bool): raise on a malformed ``T``/``R``/``E`` line instead of skipping it.
    source (str): the file name, for messages (``source:line: ...``).
    RETURNS (BratStandoff): the spans, relations and events.
    RAISES (ValueError): with strict, for a malformed line (naming the line).
    """
    out = BratStandoff()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if not _BRAT_ID.match(line):
            continue  # another kind of line, or the rest of a span text that holds a line break
        parts = line.split("\t")
        kind = line[:1]
        try:
            if kind == "T":
                label, _, offsets = parts[1].partition(" ")
                frags = []
                for frag in offsets.split(";"):
                    a, b = frag.split()
                    frags.append((int(a), int(b)))
                out.spans[parts[0]] = (label, frags)
            else:
                fields = parts[1].split()
                if kind == "R":
                    rel_type, fields = fields[0], fields[1:]
                else:
                    rel_type = fields[0].split(":", 1)[0] if fields else ""
                args = []
                for arg in fields:
                    role, sep, tid = arg.partition(":")
                    if not sep:
                        raise ValueError(f"argument {arg!r} is not ROLE:ID")
                    args.append((role, tid))
                (out.relations if kind == "R" else out.events).append((parts[0], rel_type, args))
        except (ValueError, IndexError) as err:
            if strict:
                where = f"{source}:{lineno}" if source else f"line {lineno}"
                raise ValueError(f"{where}: malformed brat line {line[:80]!r}: {err}") from None
    return out


def read_brat(path: Path) -> List[BratAttribution]:
    """Read the attribution relations of a brat ``.ann`` file.

    path (Path): the annotation file.
    RETURNS (List[BratAttribution]): the relations in file order.
    """
    standoff = parse_brat(Path(path).read_text(encoding="utf8"), strict=True, source=str(path))
    spans = standoff.spans
    out = []
    for _, _, args in standoff.events:
        rel = BratAttribution()
        for role, tid in args[1:]:  # args[0] is the trigger (Attribution:T4)
            role = re.sub(r"\d+$", "", role)
            if tid not in spans:
                continue
            frags = spans[tid][1]
            if role == "Content":
                rel.content.extend(frags)
            elif role == "Cue":
                rel.cue.extend(frags)
            elif role == "Source":
                rel.source.extend(frags)
        out.append(rel)
    return out


def _clean(text: str, start: int, end: int) -> Tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def attributions_to_doc(doc: Doc, relations: List[BratAttribution]) -> Doc:
    """Write brat attributions into a Doc's quote span groups (gold layout).

    doc (Doc): the parsed document.
    relations (List[BratAttribution]): its attributions.
    RETURNS (Doc): the same doc.
    """
    text = doc.text
    quotations = find_quotations(text)
    cue_spans: List[Span] = []
    spk_spans: List[Span] = []
    index: Dict[Tuple[str, int, int], int] = {}

    def add(group: List[Span], kind: str, frag: Tuple[int, int], label: str) -> int:
        a, b = _clean(text, *frag)
        span = doc.char_span(a, b, alignment_mode="expand") if a < b else None
        if span is None or len(span) == 0:
            return -1
        key = (kind, span.start, span.end)
        if key not in index:
            index[key] = len(group)
            group.append(Span(doc, span.start, span.end, label=label))
        return index[key]

    contents: List[Tuple[Span, int, int]] = []
    for rel in relations:
        cue_ids = [add(cue_spans, "cue", f, "CUE") for f in sorted(rel.cue)]
        spk_ids = [add(spk_spans, "spk", f, "SPEAKER") for f in sorted(rel.source)]
        cue_i = next((i for i in cue_ids if i >= 0), -1)
        spk_i = next((i for i in spk_ids if i >= 0), -1)
        for frag in sorted(rel.content):
            a, b = _clean(text, *frag)
            span = doc.char_span(a, b, alignment_mode="expand") if a < b else None
            if span is None or len(span) == 0:
                continue
            qtype = quote_type(text, span.start_char, span.end_char, quotations)
            contents.append((Span(doc, span.start, span.end, label=qtype), cue_i, spk_i))
    contents.sort(key=lambda c: (c[0].start, c[0].end))
    attrs = {
        "scores": [1.0] * len(contents),
        "cue": [c[1] for c in contents],
        "speaker": [c[2] for c in contents],
        "speaker_name": [None] * len(contents),
        "speaker_id": [None] * len(contents),
        "via": [-1] * len(contents),
    }
    write_quote_groups(doc, [c[0] for c in contents], attrs, cue_spans, spk_spans)
    return doc


def polnear_files(src: Path, split: str, annotators: str = "first") -> List[Tuple[Path, Path]]:
    """The (text, annotation) file pairs of one PolNeAR split.

    src (Path): the PolNeAR root (the folder holding ``data/``) or its ``data`` folder.
    split (str): ``train``, ``dev`` or ``test``.
    annotators (str): ``first`` keeps one annotation per article (the first annotator id in
        sorted order), ``all`` keeps every annotator's version as its own document.
    RETURNS (List[Tuple[Path, Path]]): the pairs, sorted.
    """
    src = Path(src)
    root = src / "data" if (src / "data").is_dir() else src
    text_dir, ann_dir = root / split / "text", root / split / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(f"PolNeAR split '{split}' not found under {root} (expected {text_dir} and {ann_dir})")
    pairs = []
    for txt in sorted(text_dir.glob("*.txt")):
        anns = sorted(ann_dir.glob(f"{txt.stem}_*.ann"))
        if not anns:
            logger.warning("PolNeAR: no annotation for %s", txt.name)
            continue
        for ann in anns if annotators == "all" else anns[:1]:
            pairs.append((txt, ann))
    return pairs


def polnear_docs(
    src: Path, split: str, nlp: Language, *, annotators: str = "first", n_process: int = 1, batch_size: int = 16
) -> Iterator[Doc]:
    """Parse one PolNeAR split into gold Docs.

    src (Path): the PolNeAR root.
    split (str): ``train``, ``dev`` or ``test``.
    nlp (Language): the base pipeline (tagger, parser, NER) that parses the texts.
    annotators (str): see :func:`polnear_files`.
    RETURNS (Iterator[Doc]): gold docs with ``user_data["doc_id"]`` set.
    """
    pairs = polnear_files(src, split, annotators)
    texts = ((txt.read_text(encoding="utf8"), (txt, ann)) for txt, ann in pairs)
    for doc, (txt, ann) in nlp.pipe(texts, as_tuples=True, n_process=n_process, batch_size=batch_size):
        doc.user_data["doc_id"] = ann.stem
        attributions_to_doc(doc, read_brat(ann))
        yield doc


def convert_polnear(
    src: Path, out_dir: Path, nlp: Language, *, annotators: str = "first", n_process: int = 1
) -> Dict[str, int]:
    """Convert PolNeAR into ``OUT/train.spacy``, ``OUT/dev.spacy`` and ``OUT/test.spacy``.

    src (Path): the PolNeAR root.
    out_dir (Path): the output folder (created).
    nlp (Language): the base pipeline.
    annotators (str): ``first`` (default) or ``all`` (see :func:`polnear_files`); dev and
        test always keep one annotation per article, so the figures stay comparable.
    RETURNS (Dict[str, int]): documents written per split.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split in ("train", "dev", "test"):
        db = DocBin(store_user_data=True)
        mode = annotators if split == "train" else "first"
        for doc in polnear_docs(src, split, nlp, annotators=mode, n_process=n_process):
            db.add(doc)
        db.to_disk(out_dir / f"{split}.spacy")
        counts[split] = len(db)
        logger.info("PolNeAR %s: %d documents", split, len(db))
    return counts


def read_gold_docs(path: Path, nlp: Language) -> Iterator[Doc]:
    """Gold docs from a ``.spacy`` DocBin or an annotation ``.jsonl`` file (see corpus/README.md).

    path (Path): the file.
    nlp (Language): used for the vocab and, for JSONL, to parse the texts.
    RETURNS (Iterator[Doc]): the docs.
    """
    path = Path(path)
    if path.suffix == ".jsonl":
        yield from annotations_to_docs(read_annotation_jsonl(path), nlp)
    else:
        yield from DocBin().from_disk(path).get_docs(nlp.vocab)


def _strip_quotes(doc: Doc) -> Doc:
    pred = doc.copy()
    for key in (QUOTES_KEY, CUE_KEY, SPEAKER_KEY, NOT_QUOTE_KEY):
        if key in pred.spans:
            del pred.spans[key]
    return pred


@registry.readers("spacy_quotes.Corpus.v1")
def create_quote_corpus_reader(path: Optional[Path], limit: int = 0) -> Callable[[Language], Iterable[Example]]:
    """A corpus of gold quote docs, for ``spacy train`` and ``spacy evaluate``.

    The predicted side of each example is the gold doc without its quotes, so it keeps the
    tokenisation and the base pipeline's annotations stored with it: the ``quotes`` component
    trains without running the parser again each epoch. For JSONL annotations (the seed
    corpus) the texts are parsed with the pipeline's own base components, or
    en_core_web_sm when the pipeline has none.

    path (Optional[Path]): a ``.spacy`` or annotation ``.jsonl`` file.
    limit (int): read at most this many documents (0: all).
    RETURNS (Callable[[Language], Iterable[Example]]): the reader.
    """

    def read(nlp: Language) -> Iterator[Example]:
        if path is None:
            return
        parser_nlp = nlp
        if Path(path).suffix == ".jsonl" and "parser" not in nlp.pipe_names:
            parser_nlp = load_base()
        for i, doc in enumerate(read_gold_docs(Path(path), parser_nlp)):
            if limit and i >= limit:
                break
            if parser_nlp is not nlp:
                doc = Doc(nlp.vocab).from_bytes(doc.to_bytes())
            yield Example(_strip_quotes(doc), doc)

    return read
