"""Accuracy of the ``quotes`` component against two baselines, side by side.

    python benchmarks/accuracy.py [--quick] [--model PATH] [--markdown docs/benchmarks.md]

Corpora: the PolNeAR test split (the DocBin made by ``spacy-quotes convert polnear``,
training/corpus/test.spacy, or converted on the fly from the brat files) and the seed
corpus (corpus/seeds.jsonl). Systems:

* ``model``: the trained ``quotes`` component (shipped weights, or ``--model``);
* ``textacy``: ``textacy.extract.triples.direct_quotations`` (direct quotes only; it gives
  up on a document with an odd number of quotation-mark tokens, such a document is run
  paragraph by paragraph). textacy is not a dependency of spacy-quotes: ``pip install
  textacy`` to include it;
* ``rules``: the rule baseline of benchmarks/rule_baseline.py.

Every system runs on the same parsed docs (the gold docs without their quotes) and is scored
with the same scorer, :func:`spacy_quotes.pipeline.scorer.score_quotes`. Speed is given as
words per second of the extraction alone (docs already parsed) and with the base
pipeline's parsing time added (measured on the same texts in the same run).
"""
import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as C  # noqa: E402

SYSTEMS = ("model", "textacy", "rules")
ROLES = ("content", "cue", "speaker")


# ---- corpora --------------------------------------------------------------------------------


def polnear_gold(nlp: Any, docbin: Path, limit: int) -> Tuple[Optional[List[Any]], str]:
    """The PolNeAR test gold docs.

    nlp (Language): the pipeline (its vocab; its base components parse when converting).
    docbin (Path): the converted test split; converted on the fly when missing.
    limit (int): at most this many documents (0: all).
    RETURNS (Tuple[Optional[List[Doc]], str]): the docs (None when neither the DocBin nor the
        brat files are there) and where they came from.
    """
    from spacy.tokens import DocBin

    if docbin.exists():
        docs = []
        for doc in DocBin().from_disk(docbin).get_docs(nlp.vocab):
            docs.append(doc)
            if limit and len(docs) >= limit:
                break
        return docs, C.rel_path(docbin)
    from spacy_quotes.corpus import polnear_docs

    if not C.has_polnear("test"):
        return None, f"neither {C.rel_path(docbin)} nor PolNeAR under {C.POLNEAR_DIR}"
    docs = []
    with nlp.select_pipes(disable=[C.quotes_name(nlp)]):
        for doc in polnear_docs(C.POLNEAR_DIR, "test", nlp):
            docs.append(doc)
            if limit and len(docs) >= limit:
                break
    return docs, f"{C.POLNEAR_DIR} (converted now)"


def seed_gold(nlp: Any, path: Path, limit: int) -> Tuple[List[Any], str]:
    """The seed corpus gold docs (parsed with the pipeline's base components).

    RETURNS (Tuple[List[Doc], str]): the docs and where they came from.
    """
    from spacy_quotes.annotations import annotations_to_docs, read_annotation_jsonl

    records = list(read_annotation_jsonl(path))
    if limit:
        records = records[:limit]
    return list(annotations_to_docs(records, nlp)), C.rel_path(path)


def strip_quotes(doc: Any) -> Any:
    """RETURNS (Doc): a copy of a gold doc without its quote span groups (what systems see)."""
    from spacy_quotes.quote import CUE_KEY, QUOTES_KEY, SPEAKER_KEY

    pred = doc.copy()
    for key in (QUOTES_KEY, CUE_KEY, SPEAKER_KEY):
        if key in pred.spans:
            del pred.spans[key]
    return pred


# ---- systems --------------------------------------------------------------------------------


def _paragraphs(doc: Any) -> List[Any]:
    """The paragraphs of a doc as spans (split at white-space tokens holding a newline)."""
    spans, start = [], 0
    for tok in doc:
        if tok.is_space and "\n" in tok.text:
            if tok.i > start:
                spans.append(doc[start:tok.i])
            start = tok.i + 1
    if start < len(doc):
        spans.append(doc[start:])
    return spans


def textacy_items(doc: Any) -> Tuple[List[Dict[str, Any]], int, int]:
    """textacy's direct quotations of a doc as items for ``set_quote_groups``.

    textacy raises ValueError for a document with an odd number of quotation-mark tokens
    (apostrophes such as ``students’`` count); it is then run on each paragraph on its own
    (``Span.as_doc``, offsets mapped back), and paragraphs it gives up on are skipped.

    doc (Doc): a parsed doc.
    RETURNS (Tuple[List[Dict[str, Any]], int, int]): the items, whether textacy gave up on the
        whole document (0/1) and on how many of its paragraphs.
    """
    from textacy.extract.triples import direct_quotations

    def run(d: Any, offset: int) -> List[Dict[str, Any]]:
        items = []
        for speaker, cue, content in direct_quotations(d):
            spk = (offset + min(t.idx for t in speaker), offset + max(t.idx + len(t) for t in speaker)) if speaker else None
            cue_off = (offset + min(t.idx for t in cue), offset + max(t.idx + len(t) for t in cue)) if cue else None
            name = doc.text[spk[0]:spk[1]] if spk else None
            items.append({"content": (offset + content.start_char, offset + content.end_char), "cue": cue_off,
                          "speaker": spk, "speaker_name": name, "speaker_id": name})
        return items

    try:
        return run(doc, 0), 0, 0
    except ValueError:
        pass
    items, failed = [], 0
    for para in _paragraphs(doc):
        try:
            items += run(para.as_doc(), para.start_char)
        except ValueError:
            failed += 1
    return items, 1, failed


def make_system(name: str, nlp: Any) -> Optional[Callable[[List[Any]], Dict[str, Any]]]:
    """A function that annotates parsed docs in place with one system's quotes.

    name (str): model, textacy or rules.
    nlp (Language): the full pipeline (for ``model``).
    RETURNS (Optional[Callable]): the function (it returns notes about the run), or None
        when the system is not available (textacy not installed or not importable).
    """
    from spacy_quotes.quote import set_quote_groups

    if name == "model":
        pipe = nlp.get_pipe(C.quotes_name(nlp))

        def run_model(docs: List[Any]) -> Dict[str, Any]:
            list(pipe.pipe(docs, batch_size=64))
            return {}

        return run_model
    if name == "textacy":
        try:
            import textacy
            from textacy.extract.triples import direct_quotations  # noqa: F401
        except Exception as err:  # not installed, or does not import with this spaCy
            C.logger.warning("textacy skipped: %s: %s", type(err).__name__, err)
            return None

        def run_textacy(docs: List[Any]) -> Dict[str, Any]:
            gave_up = paras = 0
            for doc in docs:
                items, failed_doc, failed_paras = textacy_items(doc)
                gave_up += failed_doc
                paras += failed_paras
                set_quote_groups(doc, items)
            return {"gave_up": gave_up, "gave_up_paragraphs": paras, "version": textacy.__version__}

        return run_textacy
    if name == "rules":
        import rule_baseline

        def run_rules(docs: List[Any]) -> Dict[str, Any]:
            for doc in docs:
                rule_baseline.annotate(doc)
            return {}

        return run_rules
    raise ValueError(f"unknown system {name!r}")


def evaluate(nlp: Any, gold: List[Any], systems: Sequence[str]) -> Dict[str, Any]:
    """Run the systems on one corpus and score them.

    nlp (Language): the full pipeline.
    gold (List[Doc]): the gold docs (parsed).
    systems (Sequence[str]): the systems to run.
    RETURNS (Dict[str, Any]): per system the scores, times and notes, plus the corpus's size
        and the base pipeline's parsing time.
    """
    from spacy.training import Example

    from spacy_quotes.pipeline.scorer import score_quotes

    texts = [d.text for d in gold]
    words = sum(C.n_words(t) for t in texts)
    with nlp.select_pipes(disable=[C.quotes_name(nlp)]):
        list(nlp.pipe(texts[:1]))
        t0 = time.perf_counter()
        list(nlp.pipe(texts, batch_size=64))
        parse = time.perf_counter() - t0
    out: Dict[str, Any] = {"docs": len(gold), "words": words, "parse_s": parse,
                           "gold_quotes": sum(len(d.spans.get("quotes", [])) for d in gold), "systems": {}}
    for name in systems:
        run = make_system(name, nlp)
        if run is None:
            out["systems"][name] = None
            continue
        run([strip_quotes(d) for d in gold[:1]])  # warm-up
        preds = [strip_quotes(d) for d in gold]
        t0 = time.perf_counter()
        notes = run(preds)
        seconds = time.perf_counter() - t0
        scores = score_quotes([Example(p, g) for p, g in zip(preds, gold)])
        n_pred = sum(len(p.spans["quotes"]) for p in preds if "quotes" in p.spans)
        out["systems"][name] = {"scores": scores, "seconds": seconds, "wps": words / max(seconds, 1e-9),
                                "wps_with_parse": words / (seconds + parse), "n_pred": n_pred, **notes}
        C.logger.info("%s: content F %.3f, %.1fs", name, scores["quotes_content_f"], seconds)
    return out


# ---- report ---------------------------------------------------------------------------------


METRICS: List[Tuple[str, str]] = []
for _role in ROLES:
    METRICS += [(f"{_role} P (exact)", f"quotes_{_role}_p"), (f"{_role} R (exact)", f"quotes_{_role}_r"),
                (f"{_role} F1 (exact)", f"quotes_{_role}_f"), (f"{_role} F1 (overlap)", f"quotes_{_role}_overlap_f")]
METRICS += [("direct quotes: recall", "quotes_direct_content_r"), ("mixed quotes: recall", "quotes_mixed_content_r"),
            ("indirect quotes: recall", "quotes_indirect_content_r"), ("link accuracy", "quotes_link_acc"),
            ("speaker-name accuracy", "quotes_speaker_name_acc")]


def corpus_rows(result: Dict[str, Any], systems: Sequence[str]) -> List[List[Any]]:
    """The table of one corpus: one row per metric, one column per system."""
    rows: List[List[Any]] = []
    runs = [result["systems"].get(s) for s in systems]
    for label, key in METRICS:
        rows.append([label] + [None if r is None else r["scores"].get(key) for r in runs])
    rows.append(["quotes predicted (gold: %d)" % result["gold_quotes"]] + [None if r is None else r["n_pred"] for r in runs])
    rows.append(["words/s (extraction only)"] + [None if r is None else r["wps"] for r in runs])
    rows.append(["words/s (with parsing)"] + [None if r is None else r["wps_with_parse"] for r in runs])
    return rows


def main(argv: Optional[List[str]] = None) -> Dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=None, help="pipeline or quotes component to evaluate (default: the shipped one)")
    p.add_argument("--quick", action="store_true", help="a few documents only (smoke test)")
    p.add_argument("--limit", type=int, default=None, help="at most this many documents per corpus (0: all)")
    p.add_argument("--polnear", type=Path, default=C.POLNEAR_TEST_DOCBIN, help="PolNeAR test DocBin")
    p.add_argument("--seeds", type=Path, default=C.SEED_CORPUS, help="seed corpus (annotation JSONL)")
    p.add_argument("--corpora", nargs="+", choices=["polnear", "seeds"], default=["polnear", "seeds"])
    p.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    p.add_argument("--markdown", type=Path, default=None, help="write the tables into this markdown file")
    args = p.parse_args(argv)
    limit = args.limit if args.limit is not None else (2 if args.quick else 0)
    C.setup_logging()
    print(f"machine: {C.machine_line()}")
    nlp, desc = C.load_pipeline(args.model)
    results: Dict[str, Any] = {"model": desc, "command": C.command_line()}
    md = []
    for corpus in args.corpora:
        if corpus == "polnear":
            gold, where = polnear_gold(nlp, args.polnear, limit)
            title = "PolNeAR test"
        else:
            gold, where = seed_gold(nlp, args.seeds, limit)
            title = "Seed corpus"
        if gold is None:
            print(f"\n== {title} ==\nskipped: {where}")
            continue
        res = evaluate(nlp, gold, args.systems)
        res["source"] = where
        results[corpus] = res
        headers = ["metric"] + list(args.systems)
        rows = corpus_rows(res, args.systems)
        notes = [f"{res['docs']} documents, {res['words']:,} words, {res['gold_quotes']} gold quotes ({where}); "
                 f"base pipeline parsing: {res['words'] / res['parse_s']:,.0f} words/s."]
        tx = res["systems"].get("textacy")
        if "textacy" in args.systems:
            if tx is None:
                notes.append("textacy: not available (not installed, or does not import with this spaCy).")
            else:
                notes.append(f"textacy {tx['version']}: direct quotes only. It gives up on a document with an odd "
                             f"number of quotation-mark tokens (apostrophes count): it did so on {tx['gave_up']} of "
                             f"{res['docs']} documents, which were then run paragraph by paragraph "
                             f"({tx['gave_up_paragraphs']} paragraphs still given up).")
        print(f"\n== {title} ==")
        print(C.text_table(headers, rows))
        for note in notes:
            print(note)
        md.append(f"### {title}\n\n{C.markdown_table(headers, rows)}\n\n" + "\n".join(f"{n}  " for n in notes))
    print(f"\nmodel: {desc}")
    if args.markdown is not None:
        intro = (f"## Accuracy\n\nCommand: `{results['command']}`  \nModel: {desc}  \nMachine: {C.machine_line()}\n\n"
                 "Systems: **model** = the trained `quotes` component; **textacy** = "
                 "`textacy.extract.triples.direct_quotations` (direct quotes only); **rules** = "
                 "`benchmarks/rule_baseline.py` (quotation marks + speech verbs + the verb's subject). "
                 "All are scored by `spacy_quotes.pipeline.scorer.score_quotes`: exact = same character "
                 "offsets, overlap = sharing a token; link accuracy = gold quotes found whose cue and "
                 "speaker overlap the gold ones; speaker-name accuracy only where the gold has names "
                 "(the seed corpus).")
        C.write_markdown_section(args.markdown, "accuracy", intro + "\n\n" + "\n\n".join(md))
        print(f"markdown: {args.markdown}")
    return results


if __name__ == "__main__":
    main()
