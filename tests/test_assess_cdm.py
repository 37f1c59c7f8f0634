"""CCSDS CDM reader/writer: Orekit's examples round-trip or are refused by line and keyword; frames."""
from __future__ import annotations

from datetime import UTC
from pathlib import Path

import numpy as np
import pytest

from ssa.assess import cdm, frames
from ssa.assess.cdm import CdmError
from ssa.screen.table import rtn_basis

HERE = Path(__file__).resolve().parent
OREKIT = HERE / "data" / "cdm" / "orekit"  # Orekit's src/test/resources/ccsds/cdm/, Apache-2.0

# deliberately malformed Orekit examples -> (line, keyword, words in the reason)
MALFORMED = {
    "CDM-covariance-wrong-entry-format.txt": (65, "CRDOT_T", "not a number"),
    "CDM-missing-TCA.txt": (5, "TCA", "missing"),
    "CDM-missing-object1-covariance-block.xml": (41, "CR_R", "missing from OBJECT1"),
    "CDM-missing-object2-state-vector.txt": (43, "X", "missing from OBJECT2"),
    "CDM-wrong-key-word.txt": (6, "WRONG_KEYWORD", "unknown keyword"),
    "CDMExample1InvalidTca.txt": (5, "TCA", "valid UTC epoch"),
    "CDMExample_issue1319_mandatory_empty_value.xml": (88, "X", "no value"),
}


def assert_round_trips(message: cdm.Cdm) -> None:
    kvn = cdm.parse(cdm.write_kvn(message))
    xml = cdm.parse(cdm.write_xml(message))
    assert kvn.values() == message.values()
    assert xml.values() == message.values()
    assert cdm.parse(cdm.write_xml(kvn)).values() == message.values()


@pytest.mark.parametrize("name", ["CDMExample1.txt", "CDMExample1.xml", "CDMExample2.txt",
                                  "CDMExample_issue_940.txt", "ION_SCV8_vs_STARLINK_1233.txt"])
def test_shipped_examples_round_trip(name):
    message = cdm.read(OREKIT / name)
    assert_round_trips(message)


def test_values_units_and_blocks_of_example_1():
    kvn = cdm.read(OREKIT / "CDMExample1.txt")
    xml = cdm.read(OREKIT / "CDMExample1.xml")
    assert kvn.relative["TCA"] == "2010-03-13T22:37:52.618"
    assert kvn.relative["MISS_DISTANCE"] == 715.0
    assert kvn.objects[0]["INTERNATIONAL_DESIGNATOR"] == "1997\u2212030E"  # the example's Unicode minus, kept
    r, v, frame = kvn.state(1)
    np.testing.assert_array_equal(r, [2569.540800, 2245.093614, 6281.599946])
    assert frame == "EME2000"
    cov = kvn.covariance_rtn(1)
    assert cov[1, 0] == cov[0, 1] == -4.806e04 and cov[5, 5] == 5.178e-05
    assert xml.objects[0]["OPERATOR_EMAIL"] == "JOHN.DOE@SOMEWHERE>NET"
    assert xml.objects[0].blocks["stateVector"]["X"] == 2570.097065
    # same states and covariances in both encodings of the example
    for i in (0, 1):
        np.testing.assert_array_equal(kvn.state(i)[0], xml.state(i)[0])
        np.testing.assert_array_equal(kvn.covariance_rtn(i), xml.covariance_rtn(i))


def test_version_2_blocks_are_kept_apart():
    message = cdm.read(OREKIT / "CDMExample_issue_940.txt")
    obj1 = message.objects[0]
    assert "CDRG_DRG" not in obj1.blocks["covarianceMatrix"]  # this RTN block stops at 6x6
    assert obj1.blocks["altCovarianceMatrix"]["CDRG_DRG"] == 0.004  # the XYZ block's, same keyword as RTN's
    assert obj1.blocks["additionalCovarianceMetadata"]["DCP_SENSITIVITY_VECTOR_POSITION"] == (1.0, 2.0, 3.0)
    assert message.objects[1].blocks["userDefinedParameters"]["USER_DEFINED_OBJ1_TIME_LASTOB_START"] == \
        "2020-01-29T13:30:00"
    assert message.hard_body_radius_m() is None  # HBR only given for object 1
    assert message.relative["COLLISION_PERCENTILE"] == (50, 51, 52)


@pytest.mark.parametrize("name", ["CDM-missing-TCA.txt", "CDM-wrong-key-word.txt",
                                  "CDM-covariance-wrong-entry-format.txt", "CDMExample1InvalidTca.txt",
                                  "CDM-missing-object1-covariance-block.xml"])
def test_shipped_malformed_examples_are_refused(name):
    line, keyword, words = MALFORMED[name]
    with pytest.raises(CdmError) as err:
        cdm.read(OREKIT / name)
    assert (err.value.line, err.value.keyword) == (line, keyword)
    assert words in err.value.reason
    assert f"{name}:{line}: {keyword}:" in str(err.value)


def test_every_orekit_example_round_trips_or_is_refused():
    files = sorted(p for p in OREKIT.iterdir() if p.is_file())
    assert len(files) == 39
    refused = set()
    for path in files:
        if path.name in MALFORMED:
            line, keyword, words = MALFORMED[path.name]
            with pytest.raises(CdmError) as err:
                cdm.read(path)
            assert (err.value.line, err.value.keyword) == (line, keyword), path.name
            assert words in err.value.reason
            refused.add(path.name)
        else:
            assert_round_trips(cdm.read(path))
    assert refused == set(MALFORMED)
    # the malformed ones are exactly those whose names say so
    assert {p.name for p in files if any(w in p.name.lower() for w in ("missing", "wrong", "invalid", "empty"))} \
        == set(MALFORMED)


@pytest.mark.parametrize("text,line,keyword,reason", [
    ("CCSDS_CDM_VERS = 1.0\nthis line has no equals sign\n", 2, None, "KEYWORD = value"),
    ("CCSDS_CDM_VERS = 1.0\nCREATION_DATE = 2010-03-12T22:31:12.000\nORIGINATOR = X\nMESSAGE_ID = 1\n"
     "TCA = 2010-03-13T22:37:52.618\nMISS_DISTANCE = 715 [km]\n", 6, "MISS_DISTANCE", "unit [km]"),
    ("<cdm version='1.0'><header><CREATION_DATE>2010-03-12T22:31:12</CREATION_DATE>\n<ORIGINATOR>X</ORIGINATOR>"
     "</header>\n<body><bogus/></body></cdm>", 3, "bogus", "unknown keyword"),
    ("<cdm version='1.0'><header>\n<CREATION_DATE>2010</header></cdm>", 2, None, "not well formed"),
])
def test_bad_input_names_line_and_field(text, line, keyword, reason):
    with pytest.raises(CdmError) as err:
        cdm.parse(text, source="upload")
    assert err.value.line == line and err.value.keyword == keyword and reason in err.value.reason


def test_lenient_reading_keeps_mandatory_checks():
    lines = (OREKIT / "CDMExample1.txt").read_text().splitlines()
    assert lines[5].startswith("MISS_DISTANCE")
    lines[5] = lines[5].replace("[m]", "[km]")
    text = "\n".join(lines)
    with pytest.raises(CdmError, match="unit"):
        cdm.parse(text)
    message = cdm.parse(text, strict=False)
    assert message.relative["MISS_DISTANCE"] == 715.0 and "unit" in message.warnings[0]
    broken = (OREKIT / "CDM-missing-TCA.txt").read_text()
    with pytest.raises(CdmError):
        cdm.parse(broken, strict=False)


def test_write_is_atomic_and_by_suffix(tmp_path):
    message = cdm.read(OREKIT / "CDMExample2.txt")
    kvn = cdm.write(message, tmp_path / "a.cdm")
    xml = cdm.write(message, tmp_path / "a.xml")
    assert kvn.read_text().startswith("CCSDS_CDM_VERS") and xml.read_text().startswith("<?xml")
    assert cdm.read(kvn).values() == cdm.read(xml).values() == message.values()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.cdm", "a.xml"]  # no temporary files left


def test_itrf_states_converted_reproduce_the_cdm_relative_state():
    """CSpOC's ION SCV-008 / STARLINK-1233 CDM (states in ITRF): our GCRS states give its RTN miss and velocity."""
    message = cdm.read(OREKIT / "ION_SCV8_vs_STARLINK_1233.txt")
    r1, v1 = message.state_gcrs(0)
    r2, v2 = message.state_gcrs(1)
    basis = rtn_basis(r1, v1)
    rel_r = 1000.0 * basis @ (r2 - r1)
    rel_v = 1000.0 * basis @ (v2 - v1)
    rel = message.relative
    # the CDM prints 0.1 m and 0.1 m/s
    np.testing.assert_allclose(rel_r, [rel["RELATIVE_POSITION_R"], rel["RELATIVE_POSITION_T"],
                                       rel["RELATIVE_POSITION_N"]], atol=0.06)
    np.testing.assert_allclose(rel_v, [rel["RELATIVE_VELOCITY_R"], rel["RELATIVE_VELOCITY_T"],
                                       rel["RELATIVE_VELOCITY_N"]], atol=0.06)
    # Earth-fixed velocities taken as inertial would be wrong by kilometres per second
    ri, vi, _ = message.state(0)
    assert abs(1000.0 * (rtn_basis(ri, vi) @ (message.state(1)[1] - vi))[2] - rel["RELATIVE_VELOCITY_N"]) > 500


def test_frames_round_trip_and_teme_matches_skyfield():
    from datetime import datetime

    from sgp4.api import Satrec
    from skyfield.api import EarthSatellite

    when = datetime(2024, 11, 1, 12, 0, 0, tzinfo=UTC)
    line1 = "1 25544U 98067A   24305.50000000  .00016717  00000-0  30233-3 0  9993"
    line2 = "2 25544  51.6393 328.6615 0008856 254.5410 105.4663 15.49820000480551"
    sat = Satrec.twoline2rv(line1, line2)
    from sgp4.api import jday
    jd, fr = jday(2024, 11, 1, 12, 0, 0)
    _, r, v = sat.sgp4(jd, fr)
    r_gcrs, v_gcrs = frames.to_gcrs(r, v, "TEME", when)
    ts = frames.timescale()
    sky = EarthSatellite(line1, line2, ts=ts).at(ts.from_datetime(when))
    np.testing.assert_allclose(r_gcrs, sky.position.km, atol=1e-6)
    np.testing.assert_allclose(v_gcrs, sky.velocity.km_per_s, atol=1e-9)
    for frame in ("EME2000", "ITRF", "TEME", "GCRF"):
        back = frames.convert(*frames.convert(r, v, "TEME", frame, when), frame, "TEME", when)
        np.testing.assert_allclose(back[0], r, atol=1e-9)
        np.testing.assert_allclose(back[1], v, atol=1e-12)
    with pytest.raises(ValueError, match="unsupported reference frame"):
        frames.to_gcrs(r, v, "MARS", when)
