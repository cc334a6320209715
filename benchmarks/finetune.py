"""Fine-tuning the shipped ``quotes`` weights on "your own" annotated documents, end to end.

    python benchmarks/finetune.py [--n-docs 250] [--max-steps 600] [--quick] [--markdown docs/benchmarks.md]

PolNeAR train documents stand in for a newsroom's own data: a seeded sample of
training/corpus/train.spacy (made by ``spacy-quotes convert polnear``) is written as a Label
Studio JSON export (each document's gold quotes as one annotator's result, the way Label Studio
exports them), converted back with :func:`spacy_quotes.annotate.convert_labelstudio` (train/dev
split by text) and fine-tuned with ``spacy train configs/quotes_finetune.cfg`` from the shipped
weights (``[components.quotes] source``). The shipped weights and the fine-tuned ones are then
scored on PolNeAR dev and test, which the fine-tuning never sees (its model-best is chosen on the
sample's own dev part).

Caveat: the shipped model was itself trained on PolNeAR train, so the sample is not new to it;
the figures show what the round trip and a short fine-tuning do on in-domain data it has seen,
not the gain a new outlet or register would bring. ``--house-style no-marks`` stands in for an
outlet whose annotators mark quotes differently: a direct quote's content without its quotation
marks (the offsets of a record's ``text``), in the sample and in the dev and test gold alike, so
the figures show how far fine-tuning moves the model to a convention it was not trained on.
"""
import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

CORPUS = C.REPO / "training" / "corpus"
CONFIG = C.REPO / "configs" / "quotes_finetune.cfg"
METRICS: List[Tuple[str, str]] = [
    ("content F1 (exact)", "quotes_content_f"), ("content P (exact)", "quotes_content_p"),
    ("content R (exact)", "quotes_content_r"), ("cue F1 (exact)", "quotes_cue_f"),
    ("speaker F1 (exact)", "quotes_speaker_f"), ("content F1 (overlap)", "quotes_content_overlap_f"),
    ("link accuracy", "quotes_link_acc"),
]


HOUSE_STYLES = ("polnear", "no-marks")


def restyle(doc: Any, style: str) -> List[Dict[str, Any]]:
    """A gold doc's quotes as pre-annotation dicts, in a house style: ``polnear`` as annotated,
    ``no-marks`` with each content trimmed to its record's text (a direct quote without its marks)."""
    from spacy_quotes.annotate.export import preannotation_records
    from spacy_quotes.quote import get_quotes

    records = preannotation_records(doc)
    if style == "no-marks":
        for record, quote in zip(records, get_quotes(doc)):
            record["start"], record["end"] = quote.text_offsets
    return records


def restyle_docbin(src: Path, dst: Path, style: str, limit: int = 0) -> None:
    """Copy a gold DocBin with its quotes in a house style (the parses are kept; the cue and speaker
    groups keep the spans that a quote links to)."""
    import spacy
    from spacy.tokens import DocBin

    from spacy_quotes.quote import set_quote_groups

    docs = list(DocBin().from_disk(src).get_docs(spacy.blank("en").vocab))[: limit or None]
    for doc in docs:
        items = [{"content": (r["start"], r["end"]), "cue": r["cue"] and (r["cue"]["start"], r["cue"]["end"]),
                  "speaker": r["speaker"] and (r["speaker"]["start"], r["speaker"]["end"])} for r in restyle(doc, style)]
        set_quote_groups(doc, items)
    DocBin(store_user_data=True, docs=docs).to_disk(dst)


def sample_export(train: Path, n_docs: int, seed: int, path: Path, style: str = "polnear") -> Dict[str, int]:
    """Write a Label Studio JSON export of n_docs PolNeAR train documents, gold quotes as results.

    RETURNS (Dict[str, int]): documents and quotes written.
    """
    import spacy
    from spacy.tokens import DocBin

    from spacy_quotes.annotate.labelstudio import document_to_task
    from spacy_quotes.annotate.regions import ToolDocument, quote_regions

    vocab = spacy.blank("en").vocab
    docs = list(DocBin().from_disk(train).get_docs(vocab))
    random.Random(seed).shuffle(docs)
    tasks, n_quotes = [], 0
    for i, doc in enumerate(docs[:n_docs], 1):
        regions, relations = quote_regions(restyle(doc, style))
        n_quotes += sum(r.role == "content" for r in regions)
        tool_doc = ToolDocument(task=f"task {i}", doc_id=str(doc.user_data.get("doc_id", i)), text=doc.text,
                                regions=regions, relations=relations)
        task = document_to_task(tool_doc)
        result = task.pop("predictions")[0]["result"]
        task.update(id=i, annotations=[{"id": i, "completed_by": 1, "result": result, "was_cancelled": False,
                                        "ground_truth": False}])
        tasks.append(task)
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return {"documents": len(tasks), "quotes": n_quotes}


def score(model_dir: Path, gold: Path) -> Dict[str, float]:
    """The quote metrics of a ``quotes``-only pipeline on gold docs (parsed, as in training)."""
    import spacy

    from spacy_quotes.corpus import create_quote_corpus_reader

    nlp = spacy.load(model_dir)
    examples = list(create_quote_corpus_reader(gold)(nlp))
    scores = nlp.evaluate(examples)
    return {key: float(scores.get(key) or 0.0) for _, key in METRICS}


STYLE_NOTE = ("House style `no-marks`: the annotators of this stand-in outlet leave a direct quote's quotation "
              "marks out of its content (PolNeAR and the shipped model keep them in); the sample and the dev and "
              "test gold are all in that style. ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-docs", type=int, default=250, help="PolNeAR train documents standing in for your data")
    parser.add_argument("--max-steps", type=int, default=600, help="fine-tuning steps")
    parser.add_argument("--eval-frequency", type=int, default=100)
    parser.add_argument("--dev-fraction", type=float, default=0.1, help="share of the sample for model-best selection")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--house-style", choices=HOUSE_STYLES, default="polnear",
                        help="no-marks: direct quotes' contents without their quotation marks, in the sample and the gold")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the files here (default: a temporary folder)")
    parser.add_argument("--quick", action="store_true", help="8 documents, 4 steps, 10 dev docs: a smoke test")
    parser.add_argument("--markdown", type=Path, default=None, help="write the table into this file's finetune section")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    C.setup_logging(args.verbose)
    if args.quick:
        args.n_docs, args.max_steps, args.eval_frequency = 8, 4, 2
    for split in ("train", "dev", "test"):
        if not (CORPUS / f"{split}.spacy").exists():
            raise SystemExit(f"{CORPUS / (split + '.spacy')} is missing: run spacy-quotes convert polnear first")
    import spacy

    import spacy_quotes
    from spacy_quotes.annotate import convert_labelstudio
    from spacy_quotes.annotate.finetune import write_finetune_source

    tmp = tempfile.TemporaryDirectory(prefix="spacy-quotes-finetune-")
    work = args.workdir or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    timings: Dict[str, float] = {}

    t0 = time.perf_counter()
    export = work / "labelstudio_export.json"
    sampled = sample_export(CORPUS / "train.spacy", args.n_docs, args.seed, export, args.house_style)
    summary = convert_labelstudio(export, work / "data", spacy_quotes.load_base(), dev_fraction=args.dev_fraction,
                                  seed=args.seed)
    timings["export + convert (parse)"] = time.perf_counter() - t0
    print(f"sample: {sampled['documents']} PolNeAR train documents, {sampled['quotes']} gold quotes -> Label Studio "
          f"export -> {summary.train} train + {summary.dev} dev documents, {summary.quotes} quotes; "
          f"{len(summary.errors)} documents could not be mapped")
    for message in summary.errors[:10]:
        print(f"  not mapped: {message}")

    source = write_finetune_source(work / "shipped")
    cmd = [sys.executable, "-m", "spacy", "train", str(CONFIG), "--paths.source", str(source),
           "--paths.train", str(work / "data" / "train.spacy"), "--paths.dev", str(work / "data" / "dev.spacy"),
           "--training.max_steps", str(args.max_steps), "--training.eval_frequency", str(args.eval_frequency),
           "--output", str(work / "output")]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(C.REPO))
    timings["spacy train"] = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"spacy train failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    print("\n".join(line for line in proc.stdout.splitlines() if line.strip()[:1].isdigit() or "---" in line)[-4000:])
    tuned = work / "output" / "model-best"

    results: Dict[str, Dict[str, Dict[str, float]]] = {}
    t0 = time.perf_counter()
    for split in ("dev", "test"):
        gold = CORPUS / f"{split}.spacy"
        if args.house_style != "polnear" or args.quick:  # the gold in the house style; a slice with --quick
            gold = work / f"{split}_{args.house_style}.spacy"
            restyle_docbin(CORPUS / f"{split}.spacy", gold, args.house_style, limit=10 if args.quick else 0)
        results[split] = {"shipped": score(source, gold), "fine-tuned": score(tuned, gold)}
    timings["evaluation"] = time.perf_counter() - t0

    headers = ["metric"] + [f"{split} {who}" for split in results for who in ("shipped", "fine-tuned", "change")]
    rows = []
    for label, key in METRICS:
        row: List[Any] = [label]
        for split in results:
            before, after = results[split]["shipped"][key], results[split]["fine-tuned"][key]
            row += [f"{100 * before:.1f}", f"{100 * after:.1f}", f"{100 * (after - before):+.1f}"]
        rows.append(row)
    print()
    print(C.text_table(headers, rows))
    print("seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    if args.markdown:
        body = "\n".join([
            "## Fine-tuning on your own annotations" + (
                f" (house style: {args.house_style})" if args.house_style != "polnear" else ""),
            "",
            f"`{C.command_line()}`",
            "",
            (STYLE_NOTE if args.house_style != "polnear" else "") +
            f"{sampled['documents']} PolNeAR train documents stand in for a newsroom's own data: written as a Label "
            f"Studio JSON export, converted back with `spacy-quotes convert labelstudio` "
            f"({summary.train} train + {summary.dev} dev documents, {summary.quotes} quotes, "
            f"{len(summary.errors)} documents not mapped) and fine-tuned from the shipped weights with "
            f"`spacy train configs/quotes_finetune.cfg` ({args.max_steps} steps, model-best chosen on the sample's "
            "dev part). PolNeAR dev and test are never seen by the fine-tuning. Exact-match scores in %.",
            "",
            C.markdown_table(headers, rows),
            "",
            "Time: " + ", ".join(f"{k} {v / 60:.1f} min" for k, v in timings.items()) + f". {C.machine_line()}",
            "",
            "The shipped model was itself trained on PolNeAR train, so the sample is not new to it: these figures "
            "show the round trip and a short fine-tuning on data it has seen, not the gain a new outlet or "
            "register would bring.",
        ])
        C.write_markdown_section(args.markdown, "finetune" + ("" if args.house_style == "polnear" else
                                                          "-" + args.house_style), body)
        print(f"written to {args.markdown}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
