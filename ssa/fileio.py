"""Atomic file writes: a file appears complete, with an ordinary file's mode, or not at all."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed onto ``path`` when the block succeeds.

    The parent directory is created if needed. The file gets the mode a
    plain ``open`` would give it (0o666 less the umask); on any error the
    temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_write(path, newline: str | None = None) -> Iterator:
    """A UTF-8 text handle whose contents replace ``path`` atomically when the block succeeds.

    ``newline`` as for ``open`` ("" for the csv module).
    """
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as handle:
        yield handle


RECORD_FORMATS = ("csv", "json")  # suffixes write_records knows


def write_records(path, rows: list[dict], fields) -> None:
    """``rows`` written atomically by ``path``'s suffix: .json a list of objects, else CSV
    with the header ``fields`` (callers check the suffix against RECORD_FORMATS first)."""
    import csv
    import json

    with atomic_write(path, newline="") as handle:
        if Path(path).suffix.lower() == ".json":
            json.dump(rows, handle, indent=1)
        else:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
