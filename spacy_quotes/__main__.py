"""``python -m spacy_quotes``: the same command line as ``spacy-quotes``."""
from .cli import main

if __name__ == "__main__":
    main()
