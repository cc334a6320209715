"""The output directory of a corpus run: its layout, atomic writes and the manifest.

```
DIR/part-<shard>-<n>.<ext>     the records of one partition (one file per partition)
DIR/_partitions/<part>.json    what that partition did: counts, errors, speaker counts
DIR/errors.jsonl               one line per bad document or failed partition
DIR/speakers.json              the speaker table of the whole corpus
DIR/manifest.json              inputs, model, versions, settings, counts, partitions
```

Every file is written under a temporary name starting with ``.`` in the same directory and
then renamed, so a file under its final name is whole. A partition is finished when its
record file is there (its ``_partitions`` entry is renamed first): a rerun skips it.
"""
import json
import logging
import posixpath
import uuid
from typing import Any, Dict, Optional, Tuple

from fsspec.core import url_to_fs

logger = logging.getLogger("spacy_quotes")

MANIFEST = "manifest.json"
ERRORS = "errors.jsonl"
SPEAKERS = "speakers.json"
PARTITIONS_DIR = "_partitions"
# Settings that must be the same to resume into a directory: they decide the partitions and
# what is in them.
RESUME_KEYS = ("format", "partition_size", "model", "config", "max_length", "max_doc_chars")


def output_fs(out_dir: str) -> Tuple[Any, str]:
    """The filesystem and the root path of an output directory (created if missing).

    out_dir (str): a local path or an fsspec URL.
    RETURNS (Tuple[AbstractFileSystem, str]): the filesystem and the path within it.
    """
    fs, root = url_to_fs(str(out_dir))
    fs.makedirs(root, exist_ok=True)
    return fs, root.rstrip("/") or root


def write_atomic(fs: Any, path: str, data: bytes) -> None:
    """Write a file whole or not at all: to a temporary name beside it, then renamed.

    fs (AbstractFileSystem): the filesystem.
    path (str): the final path.
    data (bytes): the content.
    """
    tmp = temporary_path(path)
    fs.makedirs(posixpath.dirname(path), exist_ok=True)
    with fs.open(tmp, "wb") as fh:
        fh.write(data)
    fs.mv(tmp, path)


def temporary_path(path: str) -> str:
    """RETURNS (str): a unique hidden name in the same directory, for writing ``path``."""
    head, tail = posixpath.split(path)
    return posixpath.join(head, f".{tail}.{uuid.uuid4().hex[:12]}.tmp")


def read_json(fs: Any, path: str) -> Optional[Any]:
    """RETURNS (Optional[Any]): the JSON content of a file, or None when it does not exist."""
    try:
        with fs.open(path, "rb") as fh:
            return json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        return None


def write_json(fs: Any, path: str, value: Any, indent: Optional[int] = 2) -> None:
    """Write a value as a JSON file, atomically."""
    write_atomic(fs, path, (json.dumps(value, ensure_ascii=False, indent=indent) + "\n").encode("utf-8"))


def check_resumable(previous: Optional[Dict[str, Any]], settings: Dict[str, Any], out_dir: str) -> None:
    """Refuse to mix two runs with different settings in one directory.

    previous (Optional[Dict[str, Any]]): the manifest found there (None: a new directory).
    settings (Dict[str, Any]): this run's settings (the keys of ``RESUME_KEYS``).
    out_dir (str): the directory, for the message.
    RAISES (ValueError): when a setting that decides the output differs.
    """
    if not previous:
        return
    old = previous.get("settings", {})
    changed = [k for k in RESUME_KEYS if k in old and old.get(k) != settings.get(k)]
    if changed:
        diffs = ", ".join(f"{k}: {old.get(k)!r} then, {settings.get(k)!r} now" for k in changed)
        raise ValueError(
            f"{out_dir} holds the output of a run with other settings ({diffs}); "
            "rerun with the same settings to resume it, or write to another directory"
        )


__all__ = [
    "MANIFEST", "ERRORS", "SPEAKERS", "PARTITIONS_DIR", "RESUME_KEYS", "output_fs", "write_atomic",
    "temporary_path", "read_json", "write_json", "check_resumable",
]
