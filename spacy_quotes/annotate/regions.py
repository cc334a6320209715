"""What an annotation tool holds, in one shape for every tool: labelled regions and the
relations between them, and the step from there to the project's annotation records.

A document in a tool is a :class:`ToolDocument`: its text, :class:`Region` items (a
``content``, ``cue`` or ``speaker`` span with character offsets) and :class:`Relation` items
(two region ids). The exporters write the model's quotes as regions (:func:`quote_regions`);
the converters read a tool's export into ToolDocuments and :func:`to_annotation` turns each one
into an annotation record (:mod:`spacy_quotes.annotations`), or raises
:class:`AnnotationError` naming the task and what cannot be mapped.

How relations map to quotes (the roles come from the regions' labels, so the direction and
the name of a relation do not matter):

* content - cue: the quote's cue; content - speaker: its speaker (a relation labelled
  ``via``: the medium that relayed it);
* cue - speaker: the cue's speaker, which a content linked to that cue and to no speaker gets;
* a content with no relation is a quote without cue and speaker; a cue or speaker that no
  content reaches is an error (it cannot be kept), as are a relation between two regions of
  one role, a content with two cues or two speakers, a relation to a region that does not
  exist, offsets outside the text and two regions of one role that overlap without one holding
  the other (a nested content, as in "rejected the claim by X that ...", is kept).
"""
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ..marks import find_quotations, quote_type

logger = logging.getLogger("spacy_quotes")

ROLES: Tuple[str, ...] = ("content", "cue", "speaker")
VIA = "via"
# The label names each role has in the exported tool configurations, and the names read as
# that role by default (case-insensitive); ``label_map`` adds or overrides names.
TOOL_LABELS: Dict[str, str] = {"content": "Content", "cue": "Cue", "speaker": "Speaker"}
DEFAULT_LABEL_MAP: Dict[str, str] = {
    "content": "content", "quote": "content", "quotation": "content",
    "cue": "cue",
    "speaker": "speaker", "source": "speaker",
}


class AnnotationError(ValueError):
    """A document of an annotation tool that cannot be mapped to quotes.

    task (str): the task or file it comes from (``task 12``, ``alice/doc1.ann``).
    problem (str): what is wrong.
    """

    def __init__(self, task: str, problem: str) -> None:
        super().__init__(f"{task}: {problem}")
        self.task = task
        self.problem = problem


@dataclass
class Region:
    """A labelled span of a document.

    id (str): its id in the tool (unique in the document).
    role (str): ``content``, ``cue`` or ``speaker``.
    start (int): character offset of its start (Python ``str`` index).
    end (int): character offset of its end (exclusive).
    score (Optional[float]): the model's confidence (pre-annotations), or None.
    """

    id: str
    role: str
    start: int
    end: int
    score: Optional[float] = None


@dataclass
class Relation:
    """A relation between two regions (by id), ``via`` or plain (attribution)."""

    source: str
    target: str
    label: Optional[str] = None


@dataclass
class ToolDocument:
    """One annotated document as a tool holds it.

    task (str): where it comes from, for messages.
    doc_id (str): the document id of the annotation record.
    text (str): the text the offsets index.
    regions (List[Region]): the labelled spans.
    relations (List[Relation]): the relations between them.
    annotator (Optional[str]): who annotated it, where the tool says.
    group (str): documents of one group (the versions of one text by several annotators) go
        into the same split; defaults to doc_id.
    """

    task: str
    doc_id: str
    text: str
    regions: List[Region] = field(default_factory=list)
    relations: List[Relation] = field(default_factory=list)
    annotator: Optional[str] = None
    group: str = ""

    def __post_init__(self) -> None:
        if not self.group:
            self.group = self.doc_id


def parse_label_map(spec: Optional[str]) -> Dict[str, str]:
    """The tool label -> role map: the defaults plus ``NAME=ROLE`` pairs.

    spec (Optional[str]): comma-separated ``NAME=ROLE`` pairs, e.g.
        ``"Quotation=content,Trigger=cue,Person=speaker"``; a role of ``ignore`` drops a
        default name. Names are matched case-insensitively.
    RETURNS (Dict[str, str]): lower-cased name -> role.
    RAISES (ValueError): for a pair that is not NAME=ROLE or a role that is not one of ROLES.
    """
    mapping = dict(DEFAULT_LABEL_MAP)
    for pair in (spec or "").split(","):
        if not pair.strip():
            continue
        name, sep, role = pair.partition("=")
        name, role = name.strip(), role.strip().lower()
        if not sep or not name:
            raise ValueError(f"label map entry {pair.strip()!r} is not NAME=ROLE")
        if role == "ignore":
            mapping.pop(name.lower(), None)
            continue
        if role not in ROLES:
            raise ValueError(f"label map entry {pair.strip()!r}: the role must be one of {', '.join(ROLES)} (or ignore)")
        mapping[name.lower()] = role
    return mapping


def quote_regions(quotes: Sequence[Dict[str, Any]]) -> Tuple[List[Region], List[Relation]]:
    """Regions and relations from a document's pre-annotation quotes (one region per distinct
    span of a role: two quotes with one cue point at the same cue region).

    quotes (Sequence[Dict[str, Any]]): dicts with ``start``, ``end``, ``score`` and ``cue``,
        ``speaker``, ``via`` (None or dicts with ``start``, ``end`` and optional ``score``), as
        :func:`spacy_quotes.annotate.export.preannotation_records` writes them.
    RETURNS (Tuple[List[Region], List[Relation]]): content regions ``q0, q1, ...``, cue regions
        ``k0, ...``, speaker regions ``s0, ...``; content -> cue and content -> speaker
        relations (``via`` labelled).
    """
    regions: List[Region] = []
    relations: List[Relation] = []
    seen: Dict[Tuple[str, int, int], str] = {}
    prefix = {"content": "q", "cue": "k", "speaker": "s"}
    counts = {role: 0 for role in ROLES}

    def region(role: str, span: Dict[str, Any]) -> str:
        key = (role, int(span["start"]), int(span["end"]))
        if key not in seen:
            rid = f"{prefix[role]}{counts[role]}"
            counts[role] += 1
            seen[key] = rid
            score = span.get("score")
            regions.append(Region(rid, role, key[1], key[2], None if score is None else float(score)))
        return seen[key]

    for quote in quotes:
        content = region("content", quote)
        for key, role, label in (("cue", "cue", None), ("speaker", "speaker", None), ("via", "speaker", VIA)):
            if quote.get(key):
                relations.append(Relation(content, region(role, quote[key]), label))
    return regions, relations


def _check_regions(doc: ToolDocument) -> Dict[str, Region]:
    by_id: Dict[str, Region] = {}
    n = len(doc.text)
    for r in doc.regions:
        if r.id in by_id:
            raise AnnotationError(doc.task, f"two regions have the id {r.id!r}")
        if r.role not in ROLES:
            raise AnnotationError(doc.task, f"region {r.id!r} has the role {r.role!r}, not one of {', '.join(ROLES)}")
        if r.start < 0 or r.end > n:
            raise AnnotationError(doc.task, f"{r.role} region {r.id!r} has offsets {r.start}..{r.end} outside the "
                                            f"text (0..{n})")
        if r.start >= r.end:
            raise AnnotationError(doc.task, f"{r.role} region {r.id!r} has empty or reversed offsets {r.start}..{r.end}")
        by_id[r.id] = r
    for role in ROLES:
        spans = sorted((r for r in doc.regions if r.role == role), key=lambda r: (r.start, -r.end))
        for i, a in enumerate(spans):
            for b in spans[i + 1:]:
                if b.start >= a.end:
                    break
                if (a.start, a.end) == (b.start, b.end) or b.end > a.end:
                    how = "is the same span as" if (a.start, a.end) == (b.start, b.end) else "overlaps"
                    raise AnnotationError(
                        doc.task, f"{role} region {b.id!r} ({b.start}..{b.end} {doc.text[b.start:b.end]!r}) {how} "
                        f"{role} region {a.id!r} ({a.start}..{a.end} {doc.text[a.start:a.end]!r})")
    return by_id


def to_annotation(doc: ToolDocument, *, source: Optional[str] = None) -> Dict[str, Any]:
    """The annotation record of a tool's document (see :mod:`spacy_quotes.annotations`).

    doc (ToolDocument): the document.
    source (Optional[str]): the record's ``source`` (default: doc.task).
    RETURNS (Dict[str, Any]): ``{"id", "source", "text", "quotes"}``, one quote per content
        region in text order, with gold score 1.0 and its type from the quotation marks.
    RAISES (AnnotationError): for anything that cannot be mapped (see the module docstring).
    """
    by_id = _check_regions(doc)
    cue_of: Dict[str, str] = {}
    speaker_of: Dict[str, str] = {}
    via_of: Dict[str, str] = {}
    cue_speaker: Dict[str, str] = {}
    reached = set()

    def put(table: Dict[str, str], key: str, value: str, what: str) -> None:
        if table.get(key, value) != value:
            other = by_id[table[key]]
            new = by_id[value]
            raise AnnotationError(
                doc.task, f"{by_id[key].role} region {key!r} ({doc.text[by_id[key].start:by_id[key].end]!r}) "
                f"has two {what}s: {other.id!r} ({doc.text[other.start:other.end]!r}) and "
                f"{new.id!r} ({doc.text[new.start:new.end]!r})")
        table[key] = value

    for rel in doc.relations:
        for end in (rel.source, rel.target):
            if end not in by_id:
                raise AnnotationError(doc.task, f"a relation from {rel.source!r} to {rel.target!r} points to region "
                                                f"{end!r}, which does not exist")
        a, b = by_id[rel.source], by_id[rel.target]
        roles = {a.role: a, b.role: b}
        if len(roles) == 1:
            raise AnnotationError(doc.task, f"a relation links two {a.role} regions ({a.id!r} and {b.id!r})")
        label = (rel.label or "").lower() or None
        if label == VIA and set(roles) != {"content", "speaker"}:
            raise AnnotationError(doc.task, f"a 'via' relation must link a content and a speaker, not "
                                            f"{a.role} {a.id!r} and {b.role} {b.id!r}")
        if set(roles) == {"content", "cue"}:
            put(cue_of, roles["content"].id, roles["cue"].id, "cue")
        elif set(roles) == {"content", "speaker"}:
            put(via_of if label == VIA else speaker_of, roles["content"].id, roles["speaker"].id,
                "via speaker" if label == VIA else "speaker")
        else:
            put(cue_speaker, roles["cue"].id, roles["speaker"].id, "speaker")
        reached.update((a.id, b.id))
    quotations = find_quotations(doc.text)
    quotes = []
    for r in sorted((r for r in doc.regions if r.role == "content"), key=lambda r: (r.start, r.end)):
        cue = cue_of.get(r.id)
        speaker = speaker_of.get(r.id) or (cue_speaker.get(cue) if cue else None)
        if cue and r.id in speaker_of and cue in cue_speaker and cue_speaker[cue] != speaker_of[r.id]:
            logger.info("%s: content %r has its own speaker and its cue's (%r): its own is kept",
                        doc.task, r.id, cue_speaker[cue])
        via = via_of.get(r.id)
        quotes.append({
            "type": quote_type(doc.text, r.start, r.end, quotations),
            "content": [r.start, r.end],
            "cue": None if cue is None else [by_id[cue].start, by_id[cue].end],
            "speaker": None if speaker is None else [by_id[speaker].start, by_id[speaker].end],
            "speaker_name": None,
            "via": None if via is None else [by_id[via].start, by_id[via].end],
        })
        reached.update(x for x in (cue, speaker, via) if x)
    for r in doc.regions:
        if r.role != "content" and r.id not in reached:
            raise AnnotationError(doc.task, f"{r.role} region {r.id!r} ({r.start}..{r.end} "
                                            f"{doc.text[r.start:r.end]!r}) is linked to no content")
    # a cue that reaches a content only through a cue - speaker relation is still unlinked
    used_cues = set(cue_of.values())
    for cue_id in cue_speaker:
        if cue_id not in used_cues:
            r = by_id[cue_id]
            raise AnnotationError(doc.task, f"cue region {cue_id!r} ({doc.text[r.start:r.end]!r}) is linked to a "
                                            "speaker but to no content")
    return {"id": doc.doc_id, "source": source or doc.task, "text": doc.text, "quotes": quotes}


def to_annotations(
    docs: Iterable[ToolDocument], *, on_error: Optional[Any] = None
) -> List[Tuple[ToolDocument, Dict[str, Any]]]:
    """Map every document; one that cannot be mapped is reported and left out.

    docs (Iterable[ToolDocument]): the documents.
    on_error (Optional[Callable[[AnnotationError], None]]): gets each error (default: raise it).
    RETURNS (List[Tuple[ToolDocument, Dict[str, Any]]]): the documents that map, with their records.
    RAISES (AnnotationError): without on_error, for the first document that cannot be mapped.
    """
    out = []
    for doc in docs:
        try:
            out.append((doc, to_annotation(doc)))
        except AnnotationError as err:
            if on_error is None:
                raise
            on_error(err)
    return out
