"""Copy a trained ``quotes`` component into the package as its shipped weights.

    python training/ship.py training/output/model-best

writes ``spacy_quotes/model/quotes/`` (the component's ``cfg`` and ``model`` files, no vocab:
the model hashes strings, so it needs none) and checks that the default config loads them.
"""
import shutil
import sys
from pathlib import Path

import spacy

TARGET = Path(__file__).resolve().parent.parent / "spacy_quotes" / "model" / "quotes"


def main(model_dir: str) -> None:
    nlp = spacy.load(model_dir)
    pipe = nlp.get_pipe("quotes")
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    pipe.to_disk(TARGET, exclude=["vocab"])
    size = sum(f.stat().st_size for f in TARGET.rglob("*") if f.is_file())
    print(f"shipped weights written to {TARGET} ({size / 1e6:.1f} MB)")
    import spacy_quotes

    check = spacy_quotes.load()
    assert check.get_pipe("quotes").is_initialized, "shipped weights did not load"
    print("spacy_quotes.load() picks them up")


if __name__ == "__main__":
    main(sys.argv[1])
