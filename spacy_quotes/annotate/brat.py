"""brat: a pre-annotated collection to annotate in, and reading brat standoff back.

A collection is a folder of ``<name>.txt`` (the text, exactly) and ``<name>.ann`` (standoff:
``T`` lines for the spans, ``R`` lines for the relations, ``#`` AnnotatorNotes lines for the
model's scores) with the ``annotation.conf`` and ``visual.conf`` brat needs. brat counts
offsets in code points, as Python does.

Reading accepts what brat users have: any label names (mapped to the three roles with a
label map), discontinuous spans (``Content 10 20;25 40``: each fragment of a content is one
quote with the same cue and speaker, as in PolNeAR; a cue or speaker links with its first
fragment), binary ``R`` relations and n-ary ``E`` events (PolNeAR's ``Attribution``), and
several annotators: ``<name>_<annotator>.ann`` beside ``<name>.txt`` (PolNeAR's layout) or
one folder per annotator, each holding ``<name>.txt`` and ``<name>.ann``. The standoff parser
is :func:`spacy_quotes.corpus.parse_brat`, the one the PolNeAR converter uses.
"""
import logging
import re
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ..corpus import parse_brat
from .regions import TOOL_LABELS, VIA, AnnotationError, Region, Relation, ToolDocument

logger = logging.getLogger("spacy_quotes")

ANNOTATION_CONF = """# spacy-quotes: quotations with their cue and speaker (see docs/annotation.md)
[entities]
Content
Cue
Speaker

[relations]
Cue\tArg1:Content, Arg2:Cue
Speaker\tArg1:Content, Arg2:Speaker
Via\tArg1:Content, Arg2:Speaker
<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>

[events]

[attributes]
"""
VISUAL_CONF = """[labels]
Content | Content | Q
Cue | Cue | C
Speaker | Speaker | S
Via | via

[drawing]
Content\tbgColor:#f6c342
Cue\tbgColor:#7fb3e6
Speaker\tbgColor:#8fd19e
"""
_RELATION_NAMES = {"cue": "Cue", "speaker": "Speaker"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(doc_id: str, taken: set) -> str:
    """A file name for a document id (other characters become ``_``), unique among taken.

    doc_id (str): the id.
    taken (set): names already used (lower case, updated).
    RETURNS (str): the name, without suffix.
    """
    base = _UNSAFE.sub("_", doc_id).strip("._") or "doc"
    name, k = base, 2
    while name.lower() in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name.lower())
    return name


def document_to_ann(doc: ToolDocument) -> str:
    """The ``.ann`` text of a document: ``T`` lines, ``R`` lines and the scores as notes.

    doc (ToolDocument): the document.
    RETURNS (str): the standoff text.
    """
    lines: List[str] = []
    tids: Dict[str, str] = {}
    roles: Dict[str, str] = {}
    notes = 0
    for i, r in enumerate(doc.regions, 1):
        tid = f"T{i}"
        tids[r.id] = tid
        roles[r.id] = r.role
        shown = re.sub(r"[\r\n\t]", " ", doc.text[r.start:r.end])
        lines.append(f"{tid}\t{TOOL_LABELS[r.role]} {r.start} {r.end}\t{shown}")
        if r.score is not None:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes {tid}\tscore={r.score:.4f}")
    for i, rel in enumerate(doc.relations, 1):
        other = roles[rel.target] if roles[rel.source] == "content" else roles[rel.source]
        name = "Via" if rel.label == VIA else _RELATION_NAMES.get(other, "Speaker")
        lines.append(f"R{i}\t{name} Arg1:{tids[rel.source]} Arg2:{tids[rel.target]}")
    return "\n".join(lines) + ("\n" if lines else "")


def write_collection(docs: Iterable[ToolDocument], folder: Union[str, Path]) -> int:
    """Write a brat collection: ``<name>.txt`` and ``<name>.ann`` per document, and the
    configuration files.

    docs (Iterable[ToolDocument]): the documents (consumed lazily).
    folder (Union[str, Path]): the collection folder (created); files of the same names are
        replaced.
    RETURNS (int): the number of documents written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "annotation.conf").write_text(ANNOTATION_CONF, encoding="utf-8")
    (folder / "visual.conf").write_text(VISUAL_CONF, encoding="utf-8")
    taken: set = set()
    n = 0
    for doc in docs:
        name = safe_name(doc.doc_id, taken)
        (folder / f"{name}.txt").write_text(doc.text, encoding="utf-8", newline="")
        (folder / f"{name}.ann").write_text(document_to_ann(doc), encoding="utf-8", newline="\n")
        n += 1
    return n


def _find_text(ann: Path, root: Path) -> Tuple[Optional[Path], Optional[str]]:
    """The text file of an ``.ann`` file and the annotator its name or folder gives."""
    same = ann.with_suffix(".txt")
    if same.exists():
        rel = ann.parent.relative_to(root)
        return same, (str(rel).replace("\\", "/") if str(rel) != "." else None)
    stem, sep, who = ann.stem.rpartition("_")
    if sep and stem:
        shared = ann.with_name(stem + ".txt")
        if shared.exists():
            return shared, who
    return None, None


def _standoff_to_document(
    task: str, doc_id: str, text: str, ann_text: str, label_map: Dict[str, str], annotator: Optional[str], group: str
) -> ToolDocument:
    try:
        standoff = parse_brat(ann_text, strict=True)
    except ValueError as err:  # "line N: malformed brat line ..."
        raise AnnotationError(task, str(err)) from None
    doc = ToolDocument(task=task, doc_id=doc_id, text=text, annotator=annotator, group=group)
    fragments: Dict[str, List[str]] = {}  # T id -> region ids (one per content fragment)
    ignored: Dict[str, int] = {}
    for tid, (label, frags) in standoff.spans.items():
        role = label_map.get(label.lower())
        if role is None:
            ignored[label] = ignored.get(label, 0) + 1
            continue
        if role != "content" and len(frags) > 1:
            logger.info("%s: %s %s has %d fragments: it links with the first", task, role, tid, len(frags))
            frags = frags[:1]
        ids = []
        for k, (a, b) in enumerate(frags):
            rid = tid if k == 0 else f"{tid}.{k}"
            doc.regions.append(Region(rid, role, a, b))
            ids.append(rid)
        fragments[tid] = ids
    for label, count in ignored.items():
        logger.info("%s: %d span(s) labelled %r left out (not a quote label; see --labels)", task, count, label)

    def check(rid: str, tid: str) -> bool:
        if tid not in standoff.spans:
            raise AnnotationError(task, f"{rid} points to {tid}, which is not a span of this file")
        return tid in fragments

    for rid, rel_type, args in standoff.relations:
        if len(args) != 2:
            raise AnnotationError(task, f"relation {rid} has {len(args)} arguments, not 2")
        (_, a), (_, b) = args
        known_a, known_b = check(rid, a), check(rid, b)
        if not (known_a and known_b):
            logger.info("%s: relation %s (%s) links a span that is not a quote label: left out", task, rid, rel_type)
            continue
        label = VIA if rel_type.lower() == VIA else None
        for x in fragments[a]:
            for y in fragments[b]:
                doc.relations.append(Relation(x, y, label))
    for rid, _, args in standoff.events:
        known = [tid for _, tid in args if check(rid, tid)]
        members = [(x, label_map[standoff.spans[tid][0].lower()]) for tid in dict.fromkeys(known) for x in fragments[tid]]
        contents = [x for x, role in members if role == "content"]
        for x in contents:
            for y, role in members:
                if role != "content":
                    doc.relations.append(Relation(x, y))
        if not contents:  # a cue and a speaker without content: keep the link, to_annotation names it
            cues = [x for x, role in members if role == "cue"]
            speakers = [x for x, role in members if role == "speaker"]
            doc.relations.extend(Relation(c, s) for c in cues for s in speakers)
    return doc


def read_collection(
    src: Union[str, Path],
    *,
    label_map: Dict[str, str],
    annotators: str = "first",
    stats: Optional[Dict[str, int]] = None,
) -> Iterator[Union[ToolDocument, AnnotationError]]:
    """Read a brat collection (a folder, searched recursively, or one ``.ann`` file).

    src (Union[str, Path]): the folder or file.
    label_map (Dict[str, str]): label name (lower case) -> role.
    annotators (str): ``first``: one annotation per text (the first annotator in sorted
        order); ``all``: every annotator's as its own document (``<name>_<annotator>``).
    stats (Optional[Dict[str, int]]): counts ``files``.
    YIELDS (Union[ToolDocument, AnnotationError]): documents, or the error of a file that cannot
        be read (the others are still read).
    RAISES (ValueError): when src holds no ``.ann`` file.
    """
    src = Path(src)
    root = src.parent if src.is_file() else src
    anns = [src] if src.is_file() else sorted(src.rglob("*.ann"))
    if not anns:
        raise ValueError(f"{src}: no brat .ann files found")
    stats = stats if stats is not None else {}
    groups: Dict[Tuple[str, str], List[Tuple[Optional[str], Path, str]]] = {}
    for ann in anns:
        stats["files"] = stats.get("files", 0) + 1
        task = str(ann.relative_to(root)).replace("\\", "/")
        txt, who = _find_text(ann, root)
        if txt is None:
            yield AnnotationError(task, f"no text file for it ({ann.with_suffix('.txt').name} or, for "
                                        "<name>_<annotator>.ann, <name>.txt beside it)")
            continue
        try:
            text = txt.read_bytes().decode("utf-8")
        except UnicodeDecodeError as err:
            yield AnnotationError(task, f"{txt.name} is not UTF-8 ({err.reason} at byte {err.start})")
            continue
        name = txt.stem
        groups.setdefault((name, text), []).append((who, ann, text))
    used: set = set()
    for (name, _), versions in groups.items():
        group = name if name not in used else f"{name}_{len(used)}"
        used.add(group)
        picked = versions if annotators == "all" else versions[:1]
        many = len(picked) > 1
        for k, (who, ann, text) in enumerate(picked):
            task = str(ann.relative_to(root)).replace("\\", "/")
            try:
                ann_text = ann.read_bytes().decode("utf-8")
            except UnicodeDecodeError as err:
                yield AnnotationError(task, f"not UTF-8 ({err.reason} at byte {err.start})")
                continue
            doc_id = f"{group}_{_UNSAFE.sub('_', who or str(k))}" if many else group
            try:
                yield _standoff_to_document(task, doc_id, text, ann_text, label_map, who, group)
            except AnnotationError as err:
                yield err
