"""`spacy-quotes distill-label`: a teacher pipeline's tag probabilities stored with gold docs
(and, optionally, extra unlabelled text), for training a student with soft targets."""
import time
from pathlib import Path
from typing import Iterator, List, Optional

import spacy
import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ..base import load_base
from ..inputs import InputError, read_inputs
from ..pipeline.distill import BASE_COMPONENTS, label_docs
from ._util import app, fail, logger


def _text_docs(teacher: Language, paths: List[Path], base: str, batch_size: int) -> Iterator[Doc]:
    """Extra unlabelled texts (``.txt`` files, directories, ``.jsonl``), parsed by the teacher's
    own base components where it has a parser, else by the base pipeline."""
    texts = []
    for item in read_inputs([str(p) for p in paths]):
        if isinstance(item, InputError):
            fail(str(item))
        texts.append(item.text)
    if "parser" in teacher.pipe_names:
        names = [n for n in teacher.pipe_names if n in BASE_COMPONENTS]
        with teacher.select_pipes(enable=names):
            yield from teacher.pipe(texts, batch_size=batch_size)
        return
    parser = load_base(base)
    for doc in parser.pipe(texts, batch_size=batch_size):
        yield Doc(teacher.vocab).from_bytes(doc.to_bytes())


def distill_label(teacher_path: str, data: Path, output: Path, batch_size: int = 8, text: Optional[List[Path]] = None,
                  limit: int = 0, base: str = "") -> dict:
    """Label the docs of ``data`` (and any ``text`` inputs) with the teacher's tag
    probabilities and write them to ``output``; returns counts and timing."""
    start = time.time()
    teacher = spacy.load(teacher_path)
    docs = list(DocBin().from_disk(data).get_docs(teacher.vocab))
    if limit:
        docs = docs[:limit]
    out = DocBin(store_user_data=True)
    n_tokens = 0
    for doc in label_docs(teacher, docs, batch_size=batch_size, parsed=True):
        out.add(doc)
        n_tokens += len(doc)
    n_gold = len(docs)
    n_text = 0
    if text:
        for doc in label_docs(teacher, _text_docs(teacher, text, base, batch_size), batch_size=batch_size,
                              parsed=True, unlabelled=True):
            out.add(doc)
            n_tokens += len(doc)
            n_text += 1
    output.parent.mkdir(parents=True, exist_ok=True)
    out.to_disk(output)
    return {"gold_docs": n_gold, "text_docs": n_text, "tokens": n_tokens, "seconds": round(time.time() - start, 1)}


@app.command("distill-label")
def distill_label_cli(
    teacher: str = typer.Argument(..., metavar="TEACHER", help="A trained teacher pipeline (a directory spacy.load reads, e.g. training/output_trf/model-best) with a quotes component."),
    data: Path = typer.Argument(..., metavar="IN", help="Gold docs: a .spacy DocBin from `spacy-quotes convert` (tagged and parsed)."),
    output: Path = typer.Argument(..., metavar="OUT", help="The labelled .spacy DocBin to write."),
    batch_size: int = typer.Option(8, "--batch-size", "-b", help="Docs per teacher call."),
    text: Optional[List[Path]] = typer.Option(None, "--text", help="Extra unlabelled text to label too (.txt, a directory or .jsonl; repeatable): trained on the teacher alone."),
    limit: int = typer.Option(0, "--limit", help="Label only the first N docs of IN (0: all)."),
    base: str = typer.Option("", "--base", help="Base pipeline that parses --text when the teacher has no parser."),
) -> None:
    """Store a teacher's tag probabilities with each doc (`user_data["quotes_soft"]`, gold
    spans untouched), for a student trained with `soft_target_weight` (configs/quotes_distill.cfg)."""
    if not data.is_file() or data.suffix != ".spacy":
        fail(f"{data}: expected a .spacy file")
    if batch_size < 1:
        fail("--batch-size must be at least 1")
    try:
        info = distill_label(teacher, data, output, batch_size=batch_size, text=text, limit=limit, base=base)
    except (OSError, ValueError) as err:
        fail(str(err))
    logger.info("distill-label: %s", info)
    typer.echo(f"{output}: {info['gold_docs']} gold docs, {info['text_docs']} text docs, "
               f"{info['tokens']} tokens labelled in {info['seconds']} s", err=True)
