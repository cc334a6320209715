"""Label Studio: pre-annotated tasks to import, the labelling configuration, and reading the
JSON export back.

The tasks file is Label Studio's JSON import format: a list of tasks, each
``{"data": {"text": ..., "doc_id": ...}, "predictions": [{"model_version": ..., "score": ...,
"result": [...]}]}``. A ``result`` item of type ``labels`` is a span
(``{"id", "from_name": "label", "to_name": "text", "type": "labels", "value": {"start", "end",
"text", "labels": ["Content"]}, "score"}``); one of type ``relation`` links two of them
(``{"type": "relation", "from_id", "to_id", "direction": "right", "labels": []}``, labelled
``["via"]`` for a medium that relayed the quote). :data:`LABEL_CONFIG` is the interface: the
three span labels and the relation. The export (``Export`` -> ``JSON``) is the same list with
each annotator's work under ``annotations[].result``.

Offsets are code points into ``data.text``. Some Label Studio versions counted UTF-16 code
units instead (texts with emoji, HumanSignal/label-studio#1347): a span whose ``value.text``
matches the text only when its offsets are read as UTF-16 units is read so; one that matches
neither way is an error naming the task.
"""
import json
import logging
import os
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from .regions import TOOL_LABELS, VIA, AnnotationError, Region, Relation, ToolDocument

logger = logging.getLogger("spacy_quotes")

FROM_NAME = "label"
TO_NAME = "text"
LABEL_CONFIG = """<View>
  <Header value="Mark each quotation's content, its cue and its speaker; link the content to its cue and to its speaker (a via relation: the medium that relayed it)."/>
  <Relations>
    <Relation value="via"/>
  </Relations>
  <Labels name="label" toName="text">
    <Label value="Content" background="#f6c342"/>
    <Label value="Cue" background="#7fb3e6"/>
    <Label value="Speaker" background="#8fd19e"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>
"""


def label_config_path(tasks_path: Union[str, Path]) -> Path:
    """RETURNS (Path): where the labelling configuration goes beside a tasks file
    (``tasks.json`` -> ``tasks.label_config.xml``)."""
    path = Path(tasks_path)
    return path.with_name(path.stem + ".label_config.xml")


def document_to_task(doc: ToolDocument, *, model_version: str = "") -> Dict[str, Any]:
    """A Label Studio task with the document's regions as the model's prediction.

    doc (ToolDocument): the document, its regions holding the model's scores.
    model_version (str): ``predictions[].model_version``.
    RETURNS (Dict[str, Any]): the task.
    """
    result: List[Dict[str, Any]] = []
    for r in doc.regions:
        item: Dict[str, Any] = {
            "id": r.id, "from_name": FROM_NAME, "to_name": TO_NAME, "type": "labels",
            "value": {"start": r.start, "end": r.end, "text": doc.text[r.start:r.end], "labels": [TOOL_LABELS[r.role]]},
        }
        if r.score is not None:
            item["score"] = round(float(r.score), 4)
        result.append(item)
    for rel in doc.relations:
        result.append({"from_id": rel.source, "to_id": rel.target, "type": "relation", "direction": "right",
                       "labels": [rel.label] if rel.label else []})
    scores = [r.score for r in doc.regions if r.role == "content" and r.score is not None]
    prediction: Dict[str, Any] = {"model_version": model_version, "result": result}
    if scores:
        prediction["score"] = round(sum(scores) / len(scores), 4)
    return {"data": {"text": doc.text, "doc_id": doc.doc_id}, "predictions": [prediction]}


def write_tasks(docs: Iterable[ToolDocument], path: Union[str, Path], *, model_version: str = "") -> int:
    """Write a Label Studio tasks file and its labelling configuration beside it.

    The file is written under a temporary name and moved into place when complete, so an
    interrupted run leaves the previous file as it was.

    docs (Iterable[ToolDocument]): the documents (consumed lazily).
    path (Union[str, Path]): the tasks file (``.json``); the configuration goes to
        :func:`label_config_path`.
    model_version (str): ``predictions[].model_version``.
    RETURNS (int): the number of tasks written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    n = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write("[")
            for doc in docs:
                fh.write(",\n" if n else "\n")
                fh.write(json.dumps(document_to_task(doc, model_version=model_version), ensure_ascii=False))
                n += 1
            fh.write("\n]\n")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    label_config_path(path).write_text(LABEL_CONFIG, encoding="utf-8")
    return n


def _utf16_to_codepoints(text: str) -> Dict[int, int]:
    """UTF-16 code unit offset -> code point offset, for every code point boundary of text."""
    table, unit = {}, 0
    for i, ch in enumerate(text):
        table[unit] = i
        unit += 2 if ord(ch) > 0xFFFF else 1
    table[unit] = len(text)
    return table


def _int(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _annotator(annotation: Dict[str, Any], position: int) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return str(who) if who not in (None, "") else f"annotation{position}"


def _pick_annotations(task: Dict[str, Any], annotators: str) -> List[Tuple[str, Dict[str, Any]]]:
    items = task.get("annotations")
    if items is None:
        items = task.get("completions")  # Label Studio before 1.0
    items = [a for a in (items or []) if isinstance(a, dict) and not a.get("was_cancelled")]
    named = [(_annotator(a, i), a) for i, a in enumerate(items)]
    if annotators == "first":
        named.sort(key=lambda x: not x[1].get("ground_truth"))  # stable: a ground-truth one first
        return named[:1]
    seen: Dict[str, int] = {}
    out = []
    for name, ann in named:
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name}_{seen[name]}", ann))
    return out


def _result_to_document(
    task_name: str, doc_id: str, text: str, result: Any, label_map: Dict[str, str], annotator: Optional[str], group: str
) -> ToolDocument:
    if not isinstance(result, list):
        raise AnnotationError(task_name, f"'result' must be a list, got {type(result).__name__}")
    doc = ToolDocument(task=task_name, doc_id=doc_id, text=text, annotator=annotator, group=group)
    utf16: Optional[Dict[int, int]] = None
    ignored: Dict[str, int] = {}
    for k, item in enumerate(result):
        if not isinstance(item, dict):
            raise AnnotationError(task_name, f"result item {k} is not a JSON object")
        kind = item.get("type")
        if kind == "relation":
            source, target = item.get("from_id"), item.get("to_id")
            if not isinstance(source, str) or not isinstance(target, str):
                raise AnnotationError(task_name, f"relation item {k} has no from_id / to_id")
            labels = item.get("labels") or []
            label = str(labels[0]) if isinstance(labels, list) and labels else None
            doc.relations.append(Relation(source, target, VIA if label and label.lower() == VIA else None))
            continue
        if kind != "labels":
            ignored[str(kind)] = ignored.get(str(kind), 0) + 1
            continue
        value = item.get("value")
        rid = item.get("id")
        if not isinstance(value, dict) or not isinstance(rid, str):
            raise AnnotationError(task_name, f"labels item {k} has no 'id' or no 'value' object")
        names = value.get("labels") or []
        roles = {label_map[str(n).lower()] for n in names if str(n).lower() in label_map}
        if not roles:
            what = ", ".join(map(str, names)) or "(no label)"
            ignored[what] = ignored.get(what, 0) + 1
            continue
        if len(roles) > 1:
            raise AnnotationError(task_name, f"region {rid!r} has labels of two roles: {', '.join(map(str, names))}")
        start, end = _int(value.get("start")), _int(value.get("end"))
        if start is None or end is None:
            raise AnnotationError(task_name, f"region {rid!r} has no integer start / end offsets "
                                             f"(got {value.get('start')!r}, {value.get('end')!r})")
        said = value.get("text")
        if isinstance(said, str) and 0 <= start < end <= len(text) and text[start:end] != said:
            utf16 = utf16 if utf16 is not None else _utf16_to_codepoints(text)
            a, b = utf16.get(start), utf16.get(end)
            if a is not None and b is not None and text[a:b] == said:
                start, end = a, b
            else:
                raise AnnotationError(task_name, f"region {rid!r}: its text {said!r} is not the text at "
                                                 f"{start}..{end} ({text[start:end]!r}): the offsets do not fit this text")
        doc.regions.append(Region(rid, roles.pop(), start, end))
    for what, count in ignored.items():
        logger.info("%s: %d result item(s) of %r left out (not a quote label)", task_name, count, what)
    return doc


def read_export(
    path: Union[str, Path],
    *,
    label_map: Dict[str, str],
    annotators: str = "first",
    text_key: str = "text",
    stats: Optional[Dict[str, int]] = None,
) -> Iterator[Union[ToolDocument, AnnotationError]]:
    """Read a Label Studio JSON export.

    path (Union[str, Path]): the export (a JSON list of tasks).
    label_map (Dict[str, str]): label name (lower case) -> role, from
        :func:`spacy_quotes.annotate.regions.parse_label_map`.
    annotators (str): ``first``: one annotation per task (a ground-truth one, else the first
        not cancelled); ``all``: each annotator's as its own document (``<doc_id>_<annotator>``).
    text_key (str): the ``data`` field holding the text.
    stats (Optional[Dict[str, int]]): counts ``tasks`` and ``unannotated`` (tasks without an
        annotation, left out).
    YIELDS (Union[ToolDocument, AnnotationError]): a document per annotation, or the error of a
        task that cannot be read (the others are still read).
    RAISES (ValueError): when the file is not a JSON list of tasks (naming the file).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        tasks = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise ValueError(f"{path}: not UTF-8 ({err.reason} at byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not a Label Studio JSON export: {err.msg} (line {err.lineno}, column {err.colno})") from None
    except OSError as err:
        raise ValueError(f"{path}: cannot read: {err.strerror or err}") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ValueError(f"{path}: a Label Studio JSON export is a list of tasks, got {type(tasks).__name__}")
    stats = stats if stats is not None else {}
    for position, task in enumerate(tasks):
        stats["tasks"] = stats.get("tasks", 0) + 1
        task_id = task.get("id") if isinstance(task, dict) else None
        task_name = f"{path.name}: task {task_id if task_id is not None else '#' + str(position)}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            yield AnnotationError(task_name, "not a task object with a 'data' object")
            continue
        data = task["data"]
        text = data.get(text_key)
        if not isinstance(text, str):
            yield AnnotationError(task_name, f"data.{text_key} is not a string (use --text-key for another field)")
            continue
        doc_id = data.get("doc_id") or data.get("id")
        doc_id = str(doc_id) if doc_id not in (None, "") else (f"task_{task_id}" if task_id is not None else str(position))
        task_name = f"{task_name} ({doc_id})"
        picked = _pick_annotations(task, annotators)
        if not picked:
            stats["unannotated"] = stats.get("unannotated", 0) + 1
            logger.info("%s: no annotation (not labelled yet, or cancelled): left out", task_name)
            continue
        for name, annotation in picked:
            many = annotators == "all" and len(picked) > 1
            try:
                yield _result_to_document(
                    f"{task_name}, annotator {name}" if many else task_name,
                    f"{doc_id}_{name}" if many else doc_id, text, annotation.get("result", []), label_map,
                    name, doc_id)
            except AnnotationError as err:
                yield err
