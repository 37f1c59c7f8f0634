"""2LE/3LE reading: validation of every record and parity with Satrec.twoline2rv."""
import numpy as np
import pytest
from sgp4.api import Satrec

from catalog_helpers import DATA, assert_same_as_reference
from paths import SHARED_DATA, needs_shared
from ssa.catalog import SHIPPED_CATALOG, load, parse_text
from ssa.catalog.tle import alpha5_to_int, checksum

BAD = DATA / "bad_records.tle"
SPACETRACK_3LE = SHARED_DATA / "catalogs" / "spacetrack_full_catalog_3le_2021-05-29.txt"
CELESTRAK_2LE = SHARED_DATA / "catalogs" / "celestrak_stk_full_catalog_2le_2009-08-31.txt"

ISS_1 = "1 25544U 98067A   24305.58058399  .00035180  00000-0  60166-3 0  9990"
ISS_2 = "2 25544  51.6392 359.7717 0008966 122.2149 237.9710 15.50886758479706"


def test_bad_input_loads_the_good_records_and_reports_each_bad_one():
    cat = load(BAD)
    assert sorted(cat.norad_id.tolist()) == [5, 25544, 100123]
    rejected = {(r.source, r.line, r.norad_id): r.reason for r in cat.rejected}
    expected = {
        8: (43013, "line 1 checksum"),
        11: (20580, "line 2 has 50 characters"),
        13: (None, "unrecognised line"),
        21: (43013, "catalogue numbers differ"),
        24: (20580, "inclination 190.4665"),
        27: (11, "mean motion 0.0"),
        30: (25544, "not followed by a line 2"),
    }
    assert len(rejected) == len(expected)
    for line, (norad, reason) in expected.items():
        assert reason in rejected[("bad_records.tle", line, norad)]
    # the duplicate ISS element set (line 15, older) is dropped with a note
    iss = cat.index_of([25544])[0]
    assert cat.source[iss] == "bad_records.tle:2"
    assert len(cat.notes) == 1 and "25544" in cat.notes[0] and "bad_records.tle:15" in cat.notes[0]
    assert cat.name[cat.index_of([100123])[0]] == "ALPHA-5 TEST (GALAXY 15 ELEMENTS)"


def test_bad_input_good_records_match_twoline2rv():
    lines = BAD.read_text().splitlines()
    cat = load(BAD)
    refs = []
    for source in cat.source:
        n = int(source.rsplit(":", 1)[1])
        refs.append(Satrec.twoline2rv(lines[n - 1], lines[n]))
    assert [r.satnum for r in refs] == cat.norad_id.tolist()  # Alpha-5 A0123 is 100123 there too
    assert_same_as_reference(cat.satrecs(), refs)


def with_blank_lines(text: str, blank: str = "") -> str:
    """`text` with a `blank` line after every line, as mail clients and web pages paste it."""
    return "".join(f"{line}\n{blank}\n" for line in text.splitlines())


@pytest.mark.parametrize("blank", ["", "   ", "\t \t"])
def test_blank_line_after_every_line_loads_every_record(blank):
    """Shipped 2024-11-01 element sets as 3LE text, a blank (or whitespace-only) line after every line."""
    from sgp4 import exporter

    sats = load(SHIPPED_CATALOG).take(np.arange(0, 26834, 500)).satrecs()
    text = "".join(f"OBJECT {k}\n" + "\n".join(exporter.export_tle(sat)) + "\n" for k, sat in enumerate(sats))
    plain = parse_text(text, source="plain.tle")
    spaced = parse_text(with_blank_lines(text, blank), source="spaced.tle")
    assert len(plain) == len(sats) == 54 and not plain.rejected
    assert len(spaced) == len(sats) and not spaced.rejected and not spaced.notes
    assert spaced.name.tolist() == [f"OBJECT {k}" for k in range(len(sats))]
    assert spaced.source.tolist() == [f"spaced.tle:{6 * k + 3}" for k in range(len(sats))]  # line 1, counting blanks
    assert_same_as_reference(spaced.satrecs(), plain.satrecs())


def test_blank_lines_keep_checksum_and_column_checks():
    """bad_records.tle with a blank line after every line: the same records load, the same ones are
    rejected for the same reasons, at their lines in the spaced text (line n becomes 2n - 1)."""
    plain = load(BAD)
    spaced = parse_text(with_blank_lines(BAD.read_text()), source="bad_records.tle")
    assert spaced.norad_id.tolist() == plain.norad_id.tolist()
    assert [int(s.rsplit(":", 1)[1]) for s in spaced.source] == \
        [2 * int(s.rsplit(":", 1)[1]) - 1 for s in plain.source]
    assert [(r.line, r.norad_id, r.reason) for r in spaced.rejected] == \
        [(2 * r.line - 1, r.norad_id, r.reason) for r in plain.rejected]
    assert len(spaced.rejected) == 7
    assert_same_as_reference(spaced.satrecs(), plain.satrecs())


def test_blank_lines_within_a_record_and_crlf():
    text = f"\r\n  \r\nISS (ZARYA)\r\n\r\n{ISS_1}\r\n \r\n{ISS_2}\r\n\r\n"
    cat = parse_text(text, source="t")
    assert len(cat) == 1 and not cat.rejected
    assert cat.name.tolist() == ["ISS (ZARYA)"] and cat.source.tolist() == ["t:5"]


def test_alpha5_and_checksum():
    assert alpha5_to_int("A0000") == 100000
    assert alpha5_to_int("J0001") == 180001  # I is skipped
    assert alpha5_to_int("P1234") == 231234  # O is skipped
    assert alpha5_to_int("Z9999") == 339999
    assert alpha5_to_int("   42") == 42
    with pytest.raises(ValueError):
        alpha5_to_int("I0000")
    assert checksum(ISS_1) == 0 and checksum(ISS_2) == 6


def test_two_line_and_three_line_without_prefix_give_the_same_elements():
    two = parse_text(f"{ISS_1}\n{ISS_2}\n")
    three = parse_text(f"ISS (ZARYA)\n{ISS_1}\n{ISS_2}\n")
    zero = parse_text(f"0 ISS (ZARYA)\n{ISS_1}\n{ISS_2}\n")
    assert two.name.tolist() == [""] and three.name.tolist() == zero.name.tolist() == ["ISS (ZARYA)"]
    for field in ("epoch_jd", "epoch_fr", "no_kozai", "ecco", "inclo", "bstar", "ndot"):
        assert getattr(two, field)[0] == getattr(three, field)[0] == getattr(zero, field)[0]
    assert zero.object_id[0] == "1998-067A"
    assert not two.rejected and not three.rejected


def test_line_layout_is_checked():
    broken = ISS_1[:23] + "X" + ISS_1[24:68]
    cat = parse_text(f"{broken}{checksum(broken + '0')}\n{ISS_2}\n", source="t")
    assert len(cat) == 0
    assert "column 24" in cat.rejected[0].reason and cat.rejected[0].line == 1


def test_crlf_and_trailing_blanks_are_accepted():
    cat = parse_text(f"ISS (ZARYA)   \r\n{ISS_1}  \r\n{ISS_2}\r\n\r\n")
    assert len(cat) == 1 and not cat.rejected


@needs_shared(SPACETRACK_3LE, what="Space-Track 3LE catalogue (redistribution restricted)")
def test_spacetrack_3le_catalogue_matches_twoline2rv():
    """21,584 real records (zero-padded and blank-padded catalogue numbers, deep space included)."""
    cat = load(SPACETRACK_3LE, keep="all")
    assert not cat.rejected
    lines = SPACETRACK_3LE.read_text().splitlines()
    refs = [Satrec.twoline2rv(lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]
    assert len(cat) == len(refs) == 21584
    assert cat.norad_id.tolist() == [r.satnum for r in refs]
    assert np.count_nonzero(cat.no_kozai * 1440 / (2 * np.pi) < 6.4) > 1000  # deep space covered
    assert_same_as_reference(cat.satrecs(), refs)


@needs_shared(CELESTRAK_2LE, what="2009 full catalogue (Space-Track element sets, redistribution restricted)")
def test_2le_catalogue_matches_twoline2rv():
    cat = load(CELESTRAK_2LE)
    assert len(cat) == 13686 and not cat.rejected
    lines = CELESTRAK_2LE.read_text().splitlines()
    pick = np.arange(0, len(cat), 7)
    refs = [Satrec.twoline2rv(lines[2 * i], lines[2 * i + 1]) for i in pick]
    assert_same_as_reference(cat.take(pick).satrecs(), refs)
