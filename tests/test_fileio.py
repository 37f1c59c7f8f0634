"""ssa.fileio: every writer's files appear whole, with an ordinary file's mode, or not at all."""
from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from ssa.fileio import atomic_path, atomic_write
from ssa.screen.table import CONJUNCTION_DTYPE, write_table


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_file_has_the_mode_open_gives(tmp_path):
    umask = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "sub" / "a.txt") as handle:
            handle.write("é\n")
        open(tmp_path / "plain.txt", "w").close()
        write_table(np.zeros(0, CONJUNCTION_DTYPE), tmp_path / "t.csv")
    finally:
        os.umask(umask)
    assert (tmp_path / "sub" / "a.txt").read_bytes() == "é\n".encode()
    assert _mode(tmp_path / "sub" / "a.txt") == _mode(tmp_path / "plain.txt") == _mode(tmp_path / "t.csv") == 0o640


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as handle:
            handle.write("half")
            raise RuntimeError("disk full")
    with pytest.raises(RuntimeError):
        with atomic_path(target):
            raise RuntimeError("writer failed")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
