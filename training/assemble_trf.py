"""Assemble OUTPUT/model-full from a transformer training run (training/train_trf.sh calls it):
the base English pipeline, plus the trained ``transformer`` and ``quotes`` from
OUTPUT/model-best, with speaker resolution switched on (training scores PolNeAR with it off,
as PolNeAR has no speaker names).

    python training/assemble_trf.py OUTPUT
"""
import sys
from pathlib import Path

import spacy

import spacy_quotes
import spacy_quotes.ml.combine  # noqa: F401  (registers spacy_quotes.ConcatTok2Vec.v1)


def main(out: Path) -> None:
    trained = spacy.load(out / "model-best")
    nlp = spacy_quotes.load_base()
    nlp.add_pipe("transformer", source=trained)
    nlp.add_pipe("quotes", source=trained)
    base_name = f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', 'core_web_sm')}"
    nlp.meta.update({
        "name": "quotes_trf", "version": spacy_quotes.__version__, "author": "spacy-quotes", "email": "",
        "url": "", "description": f"{base_name} + transformer + the spacy-quotes `quotes` component",
    })
    nlp.meta["performance"] = {**nlp.meta.get("performance", {}), **trained.meta.get("performance", {})}
    full = out / "model-full"
    nlp.to_disk(full)
    # the sourced component keeps the training config (resolve_speakers = false): reload with
    # resolution on, so that the saved config says so too
    nlp = spacy.load(full, config={"components": {"quotes": {"resolve_speakers": True}}})
    nlp.to_disk(full)
    doc = nlp("\u201cWe will win,\u201d the minister said on Monday.")
    names = [q.speaker_name for q in doc._.quotes]
    print(f"{full}: pipeline {nlp.pipe_names}; smoke text -> {len(doc._.quotes)} quote(s), speakers {names}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
