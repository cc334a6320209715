"""``spacy-quotes convert labelstudio|brat``: an annotation tool's export -> the annotation
JSONL and ``train.spacy`` / ``dev.spacy`` for ``spacy train``.

Each document goes through :func:`spacy_quotes.annotate.regions.to_annotation`; one that cannot
be mapped is reported (naming its task and the problem) and left out, and the rest are written.
The gold Docs are made by :func:`spacy_quotes.annotations.annotations_to_docs` with the base
pipeline, so they carry the tags, parses and entities the component sees at run time.
Documents are split into train and dev by text (all annotators' versions of one text go to the
same side; dev keeps one version per text, as ``convert polnear`` does), reproducibly for a seed.
"""
import logging
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from spacy.language import Language
from spacy.tokens import DocBin

from ..annotations import annotations_to_docs, write_annotation_jsonl
from ..runner import error_reporter
from . import brat, labelstudio
from .regions import AnnotationError, ToolDocument, parse_label_map, to_annotation

logger = logging.getLogger("spacy_quotes")

ANNOTATIONS_FILE = "annotations.jsonl"


@dataclass
class ConvertSummary:
    """What a conversion did.

    documents (int): documents written (train + dev).
    quotes (int): their quotes.
    train (int): documents in ``train.spacy``.
    dev (int): documents in ``dev.spacy``.
    errors (List[str]): one message per task or file that could not be mapped (left out).
    stats (Dict[str, int]): what the reader counted (tasks, files, unannotated tasks).
    paths (List[Path]): the files written.
    """

    documents: int = 0
    quotes: int = 0
    train: int = 0
    dev: int = 0
    errors: List[str] = field(default_factory=list)
    stats: Dict[str, int] = field(default_factory=dict)
    paths: List[Path] = field(default_factory=list)


def split_groups(groups: List[str], dev_fraction: float, seed: int) -> set:
    """The groups that go to dev: a seeded shuffle of the sorted groups, round(n * fraction)
    of them (at least one when the fraction is above 0 and there are two groups or more).

    groups (List[str]): the group keys.
    dev_fraction (float): the share for dev, in [0, 1).
    seed (int): the shuffle's seed.
    RETURNS (set): the dev groups.
    """
    keys = sorted(set(groups))
    if dev_fraction <= 0 or len(keys) < 2:
        return set()
    n_dev = min(max(1, round(len(keys) * dev_fraction)), len(keys) - 1)
    random.Random(seed).shuffle(keys)
    return set(keys[:n_dev])


def _write_docbin(db: DocBin, path: Path) -> None:
    tmp = path.with_name(path.name + ".part")
    db.to_disk(tmp)
    os.replace(tmp, path)


def write_training_data(
    items: Iterable[Union[ToolDocument, AnnotationError]],
    out_dir: Union[str, Path],
    nlp: Language,
    *,
    dev_fraction: float = 0.2,
    seed: int = 0,
    on_error: Optional[Callable[[str], None]] = None,
    summary: Optional[ConvertSummary] = None,
) -> ConvertSummary:
    """Map documents to annotation records and write ``OUT/annotations.jsonl`` (every record),
    ``OUT/train.spacy`` and ``OUT/dev.spacy``.

    items (Iterable[Union[ToolDocument, AnnotationError]]): a reader's output.
    out_dir (Union[str, Path]): the output folder (created).
    nlp (Language): the base pipeline that parses the texts.
    dev_fraction (float): the share of texts for dev (0: all in train, dev.spacy empty).
    seed (int): the seed of the split.
    on_error (Optional[Callable[[str], None]]): gets each error message (default: log it).
    summary (Optional[ConvertSummary]): filled in and returned.
    RETURNS (ConvertSummary): what was written.
    RAISES (ValueError): for dev_fraction outside [0, 1).
    """
    if not 0 <= dev_fraction < 1:
        raise ValueError(f"dev_fraction must be in [0, 1), got {dev_fraction}")
    summary = summary if summary is not None else ConvertSummary()

    report = error_reporter(summary.errors, on_error)

    mapped: List[Tuple[ToolDocument, Dict[str, Any]]] = []
    seen_ids: Dict[str, str] = {}
    for item in items:
        if isinstance(item, AnnotationError):
            report(str(item))
            continue
        try:
            record = to_annotation(item)
        except AnnotationError as err:
            report(str(err))
            continue
        if record["id"] in seen_ids:
            report(f"{item.task}: document id {record['id']!r} is already used by {seen_ids[record['id']]}; left out")
            continue
        seen_ids[record["id"]] = item.task
        mapped.append((item, record))
    dev_groups = split_groups([doc.group for doc, _ in mapped], dev_fraction, seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    train_db, dev_db = DocBin(store_user_data=True), DocBin(store_user_data=True)
    dev_taken: set = set()
    keep: List[Dict[str, Any]] = []
    sides: List[str] = []
    for doc, record in mapped:
        if doc.group in dev_groups:
            if doc.group in dev_taken:
                continue  # dev keeps one version of each text
            dev_taken.add(doc.group)
            sides.append("dev")
        else:
            sides.append("train")
        keep.append(record)
    for side, gold in zip(sides, annotations_to_docs(keep, nlp)):
        (dev_db if side == "dev" else train_db).add(gold)
        summary.quotes += len(gold.spans["quotes"]) if "quotes" in gold.spans else 0
    jsonl = out_dir / ANNOTATIONS_FILE
    tmp = jsonl.with_name(jsonl.name + ".part")
    write_annotation_jsonl((dict(r, split=s) for r, s in zip(keep, sides)), tmp)
    os.replace(tmp, jsonl)
    _write_docbin(train_db, out_dir / "train.spacy")
    _write_docbin(dev_db, out_dir / "dev.spacy")
    summary.train, summary.dev = len(train_db), len(dev_db)
    summary.documents = summary.train + summary.dev
    summary.paths = [jsonl, out_dir / "train.spacy", out_dir / "dev.spacy"]
    return summary


def convert_labelstudio(
    src: Union[str, Path],
    out_dir: Union[str, Path],
    nlp: Language,
    *,
    labels: Optional[str] = None,
    annotators: str = "first",
    text_key: str = "text",
    dev_fraction: float = 0.2,
    seed: int = 0,
    on_error: Optional[Callable[[str], None]] = None,
) -> ConvertSummary:
    """A Label Studio JSON export -> annotation JSONL + train/dev ``.spacy`` (see
    :func:`write_training_data`; the options of :func:`spacy_quotes.annotate.labelstudio.read_export`).

    labels (Optional[str]): extra ``NAME=ROLE`` label names (:func:`parse_label_map`).
    RAISES (ValueError): for a bad label map or a file that is not an export.
    """
    summary = ConvertSummary()
    items = labelstudio.read_export(src, label_map=parse_label_map(labels), annotators=annotators,
                                    text_key=text_key, stats=summary.stats)
    return write_training_data(items, out_dir, nlp, dev_fraction=dev_fraction, seed=seed, on_error=on_error,
                               summary=summary)


def convert_brat(
    src: Union[str, Path],
    out_dir: Union[str, Path],
    nlp: Language,
    *,
    labels: Optional[str] = None,
    annotators: str = "first",
    dev_fraction: float = 0.2,
    seed: int = 0,
    on_error: Optional[Callable[[str], None]] = None,
) -> ConvertSummary:
    """A brat collection -> annotation JSONL + train/dev ``.spacy`` (see
    :func:`write_training_data` and :func:`spacy_quotes.annotate.brat.read_collection`).

    labels (Optional[str]): extra ``NAME=ROLE`` label names (:func:`parse_label_map`).
    RAISES (ValueError): for a bad label map or a source without ``.ann`` files.
    """
    summary = ConvertSummary()
    label_map = parse_label_map(labels)
    items = list(brat.read_collection(src, label_map=label_map, annotators=annotators, stats=summary.stats))
    return write_training_data(items, out_dir, nlp, dev_fraction=dev_fraction, seed=seed, on_error=on_error,
                               summary=summary)
