"""``--resume``: the run record beside a JSONL output (what the run was over) and readying an
interrupted output to be continued."""
import json
import logging
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Set, Union

from .about import __version__

logger = logging.getLogger("spacy_quotes")

RUN_RECORD_SUFFIX = ".run.json"


def run_record_path(output: Union[str, Path]) -> Path:
    """RETURNS (Path): where the run record of a JSONL output is kept (``OUT.run.json``)."""
    output = Path(output)
    return output.with_name(output.name + RUN_RECORD_SUFFIX)


def run_record(inputs: Sequence[Union[str, Path]], model: Optional[str], max_length: Optional[int]) -> Dict[str, Any]:
    """What a run is over, as ``--resume`` checks it: the inputs (absolute paths, ``-`` for
    stdin), the model and the chunk length.

    inputs (Sequence[Union[str, Path]]): the run's inputs.
    model (Optional[str]): the ``--model`` given (None: the default pipeline).
    max_length (Optional[int]): the ``--max-length`` given.
    RETURNS (Dict[str, Any]): a JSON-serialisable record.
    """
    paths = [str(given) if str(given) == "-" else str(Path(given).resolve()) for given in inputs]
    if model is not None and Path(model).exists():
        model = str(Path(model).resolve())
    return {"inputs": paths, "model": model, "max_length": max_length, "spacy_quotes": __version__}


def write_run_record(output: Union[str, Path], record: Dict[str, Any]) -> None:
    """Keep a run's record beside its JSONL output, for a later ``--resume``."""
    run_record_path(output).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def check_resume(output: Union[str, Path], record: Dict[str, Any]) -> None:
    """Check that an output to resume was written by a run over the same inputs and model.

    output (Union[str, Path]): the JSONL output. A missing or empty one needs no check.
    record (Dict[str, Any]): :func:`run_record` of the run about to resume it.
    RAISES (ValueError): when its run record is missing, unreadable or differs.
    """
    output = Path(output)
    if not output.exists() or output.stat().st_size == 0:
        return
    where = run_record_path(output)
    try:
        kept = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(
            f"cannot resume {output}: it has no run record ({where.name}), so nothing says which inputs "
            "and model wrote it; run without --resume to write it again"
        ) from None
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot resume {output}: its run record {where} cannot be read ({err})") from None
    for key, what in (("inputs", "inputs"), ("model", "model"), ("max_length", "--max-length")):
        if kept.get(key) != record.get(key):
            raise ValueError(
                f"cannot resume {output}: it was written with different {what} ({kept.get(key)!r}, now "
                f"{record.get(key)!r}); resume with the same inputs and options, or write a new file"
            )


def prepare_resume(path: Union[str, Path]) -> Set[str]:
    """Ready an interrupted JSONL output for ``--resume`` and find the finished documents.

    A partial last line (no newline: the run stopped while writing it) is cut off. The
    document of the last remaining line may be incomplete (it was being written when the run
    stopped), so its lines are cut off too and it is done again. Every other ``doc_id`` in
    the file is complete: records are written whole documents at a time. Documents with no
    quotes leave no line, so they are done again (and give nothing again).

    path (Union[str, Path]): the output file; it is truncated in place. A missing file is fine.
    RETURNS (Set[str]): the doc_ids to skip.
    RAISES (ValueError): when a complete line is not a JSON record with a ``doc_id``.
    """
    path = Path(path)
    if not path.exists():
        return set()
    done: Set[str] = set()
    last_id: Optional[str] = None
    last_start = 0  # byte offset where the last document's lines start
    pos = 0
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.endswith(b"\n"):
                break  # a partial line
            try:
                record = json.loads(raw.decode("utf-8"))
                doc_id = record["doc_id"]
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{lineno}: not a quote record ({err}); cannot resume this file") from None
            doc_id = str(doc_id)
            if doc_id != last_id:
                if last_id is not None:
                    done.add(last_id)
                last_id, last_start = doc_id, pos
            pos += len(raw)
    keep = last_start if last_id is not None else 0
    if last_id is not None and last_id in done:
        # The last document's lines are not contiguous with its earlier ones: a duplicate id.
        logger.warning("spacy_quotes: doc_id '%s' appears twice in %s", last_id, path)
    with open(path, "r+b") as fh:
        fh.truncate(keep)
    logger.info("spacy_quotes: resuming %s after %d documents (%d bytes kept)", path, len(done), keep)
    return done


__all__ = ["RUN_RECORD_SUFFIX", "run_record_path", "run_record", "write_run_record", "check_resume", "prepare_resume"]
