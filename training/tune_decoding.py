"""Tune the decoding prior ``outside_penalty`` of a trained ``quotes`` component on PolNeAR dev.

    python training/tune_decoding.py [--model training/output/model-best] [--dev training/corpus/dev.spacy]
                                     [--penalties 0 0.25 0.5 ...]

The model scores the dev documents once; each penalty is then decoded, linked and scored with
the component's scorer (speaker names are not resolved: PolNeAR has none). A model with the
attribution step (the shipped one) runs ``predict`` again for each penalty: the penalty picks
the cues the step reads and is applied in the step's own search too. It prints one row
per penalty with the training score (the weights of ``[training.score_weights]``) and the
penalty that maximises it. Use it on dev only: the test split is for reporting.
"""
import argparse
import sys
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = {"quotes_content_f": 0.3, "quotes_cue_f": 0.2, "quotes_speaker_f": 0.2, "quotes_link_acc": 0.3}


def load(model: str):
    import spacy_quotes

    nlp = spacy_quotes.load() if model == "shipped" else spacy_quotes.load(model=model)
    nlp.get_pipe("quotes").cfg["resolve_speakers"] = False
    return nlp


def tune(model: str, dev: Path, penalties: List[float]) -> Dict[float, Dict[str, float]]:
    from spacy.training import Example

    from spacy_quotes.corpus import create_quote_corpus_reader
    from spacy_quotes.pipeline.scorer import score_quotes

    nlp = load(model)
    pipe = nlp.get_pipe("quotes")
    examples = list(create_quote_corpus_reader(dev)(nlp))
    from spacy_quotes.ml.attribution import has_attribution_step

    docs = [eg.predicted for eg in examples]
    step = has_attribution_step(pipe.model) and pipe.cfg.get("attribution_step", True)
    scores = None if step else pipe.predict(docs)
    results = {}
    for penalty in penalties:
        pipe.cfg["outside_penalty"] = float(penalty)
        pipe.set_annotations(docs, pipe.predict(docs) if step else scores)
        m = score_quotes([Example(d, eg.reference) for d, eg in zip(docs, examples)])
        m["score"] = sum(w * m[k] for k, w in WEIGHTS.items())
        results[penalty] = m
    return results


def main(argv=None) -> float:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=str(ROOT / "training" / "output" / "model-best"),
                    help="a `spacy train` output, a pipeline, or 'shipped'")
    ap.add_argument("--dev", type=Path, default=ROOT / "training" / "corpus" / "dev.spacy")
    ap.add_argument("--penalties", type=float, nargs="+", default=[0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0])
    args = ap.parse_args(argv)
    if not args.dev.is_file():
        sys.exit(f"{args.dev}: not found (make it with spacy-quotes convert polnear ...)")
    results = tune(args.model, args.dev, args.penalties)
    cols = ["quotes_content_f", "quotes_content_p", "quotes_content_r", "quotes_cue_f", "quotes_speaker_f",
            "quotes_link_acc", "quotes_indirect_content_r", "score"]
    print("penalty  " + "  ".join(c.replace("quotes_", "")[:12].rjust(12) for c in cols))
    for penalty, m in results.items():
        print(f"{penalty:7.2f}  " + "  ".join(f"{100 * (m.get(c) or 0.0):12.2f}" for c in cols))
    best = max(results, key=lambda p: results[p]["score"])
    print(f"best outside_penalty on {args.dev.name}: {best}")
    return best


if __name__ == "__main__":
    main()
