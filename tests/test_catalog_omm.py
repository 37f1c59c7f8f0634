"""OMM reading (CSV of CelesTrak and Space-Track, JSON, XML, gzip), SATCAT merge,
duplicates, and parity with python-sgp4's ``sgp4.omm`` path."""
import csv
import gzip
import io
import json
from xml.sax.saxutils import escape

import numpy as np
import pytest
from sgp4 import exporter as sgp4_exporter
from sgp4 import omm as sgp4_omm
from sgp4.api import Satrec

from catalog_helpers import DATA, assert_same_as_reference
from ssa.catalog import SHIPPED_ACTIVE, SHIPPED_CATALOG, SHIPPED_SATCAT, detect_format, load, load_satcat, parse_text

META = ("OBJECT_NAME", "OBJECT_ID")
MEAN = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY")
TLE_PARAMS = ("EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
              "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT")
NUMERIC = {"MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY",
           "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"}
INTEGER = {"EPHEMERIS_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH"}
COMPARED = ("norad_id", "name", "object_id", "epoch_jd", "epoch_fr", "epoch_days", "no_kozai", "ecco", "inclo",
            "nodeo", "argpo", "mo", "bstar", "ndot", "nddot", "element_set_no", "rev_at_epoch", "classification")


@pytest.fixture(scope="module")
def shipped_rows():
    with open(SHIPPED_CATALOG, newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sample_rows(shipped_rows):
    """Every 50th object of the shipped catalogue (537 rows, LEO to GEO and HEO)."""
    return shipped_rows[::50]


def as_csv(rows) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def as_json(rows) -> str:
    """CelesTrak's JSON: numbers as JSON numbers."""
    def value(key, text):
        if key in NUMERIC:
            return float(text)
        if key in INTEGER:
            return int(text)
        return text
    return json.dumps([{k: value(k, v) for k, v in row.items()} for row in rows])


def as_xml(rows) -> str:
    """CCSDS NDM/OMM XML as CelesTrak serves with FORMAT=xml: one <omm> per object."""
    def block(tag, keys, row):
        return f"<{tag}>" + "".join(f"<{k}>{escape(row[k])}</{k}>" for k in keys) + f"</{tag}>"
    omms = []
    for row in rows:
        metadata = ("<metadata>" + "".join(f"<{k}>{escape(row[k])}</{k}>" for k in META)
                    + "<CENTER_NAME>EARTH</CENTER_NAME><REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM>"
                    "<MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata>")
        omms.append('<omm id="CCSDS_OMM_VERS" version="2.0"><header><CREATION_DATE/><ORIGINATOR/></header>'
                    f"<body><segment>{metadata}<data>{block('meanElements', MEAN, row)}"
                    f"{block('tleParameters', TLE_PARAMS, row)}</data></segment></body></omm>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:noNamespaceSchemaLocation="https://sanaregistry.org/r/ndmxml_unqualified/ndmxml-2.0.0-master-2.0.xsd">\n'
            + "\n".join(omms) + "\n</ndm>\n")


def as_spacetrack_csv(rows) -> str:
    """Space-Track's GP class column set, every value quoted, object type spelt out."""
    columns = ["CCSDS_OMM_VERS", "COMMENT", "CREATION_DATE", "ORIGINATOR", "OBJECT_NAME", "OBJECT_ID", "CENTER_NAME",
               "REF_FRAME", "TIME_SYSTEM", "MEAN_ELEMENT_THEORY", "EPOCH", "MEAN_MOTION", "ECCENTRICITY",
               "INCLINATION", "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE",
               "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT",
               "MEAN_MOTION_DDOT", "SEMIMAJOR_AXIS", "PERIOD", "APOAPSIS", "PERIAPSIS", "OBJECT_TYPE", "RCS_SIZE",
               "COUNTRY_CODE", "LAUNCH_DATE", "SITE", "DECAY_DATE", "FILE", "GP_ID", "TLE_LINE0", "TLE_LINE1",
               "TLE_LINE2"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, quoting=csv.QUOTE_ALL, lineterminator="\n", restval="")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "CCSDS_OMM_VERS": "2.0", "CENTER_NAME": "EARTH", "REF_FRAME": "TEME",
                         "TIME_SYSTEM": "UTC", "MEAN_ELEMENT_THEORY": "SGP4", "OBJECT_TYPE": "PAYLOAD",
                         "COUNTRY_CODE": "US"})
    return buf.getvalue()


def assert_same_columns(a, b):
    assert len(a) == len(b)
    for name in COMPARED:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_shipped_catalogue_loads_completely():
    cat = load(SHIPPED_CATALOG)
    assert len(cat) == 26834 and not cat.rejected and not cat.notes
    assert len(np.unique(cat.norad_id)) == len(cat)
    assert (cat.object_type == "").all()  # unknown until a SATCAT is merged


def test_shipped_catalogue_matches_sgp4_omm_path(shipped_rows):
    """Every object of the 2024-11-01 catalogue, -3 to +7 days: within 1 mm, same error codes."""
    cat = load(SHIPPED_CATALOG, keep="all")
    refs = []
    for row in shipped_rows:
        sat = Satrec()
        sgp4_omm.initialize(sat, row)
        refs.append(sat)
    assert cat.norad_id.tolist() == [int(r["NORAD_CAT_ID"]) for r in shipped_rows]
    assert_same_as_reference(cat.satrecs(), refs)


def test_shipped_active_catalogue_matches_sgp4_omm_path():
    with open(SHIPPED_ACTIVE, newline="") as f:
        rows = list(csv.DictReader(f))[::10]
    refs = []
    for row in rows:
        sat = Satrec()
        sgp4_omm.initialize(sat, row)
        refs.append(sat)
    cat = load(SHIPPED_ACTIVE)
    assert len(cat) == 15985 and not cat.rejected
    assert_same_as_reference(cat.take(np.arange(0, len(cat), 10)).satrecs(), refs)


@pytest.mark.parametrize("fmt", ["json", "xml", "spacetrack_csv"])
def test_every_omm_encoding_gives_the_same_catalogue(fmt, sample_rows):
    text = {"json": as_json, "xml": as_xml, "spacetrack_csv": as_spacetrack_csv}[fmt](sample_rows)
    reference = parse_text(as_csv(sample_rows))
    cat = parse_text(text, source=f"sample.{fmt}")
    assert detect_format(text) == ("csv" if fmt == "spacetrack_csv" else fmt)
    assert not cat.rejected and len(cat) == len(sample_rows)
    assert_same_columns(cat, reference)
    if fmt == "spacetrack_csv":
        assert set(cat.object_type) == {"PAY"} and set(cat.owner) == {"US"}


def test_xml_sample_agrees_with_sgp4_xml_reader(sample_rows, tmp_path):
    path = tmp_path / "sample.xml"
    path.write_text(as_xml(sample_rows))
    refs = []
    for fields in sgp4_omm.parse_xml(str(path)):
        fields["OBJECT_ID"] = fields["OBJECT_ID"] or ""  # sgp4.omm needs a string; some objects have none
        sat = Satrec()
        sgp4_omm.initialize(sat, fields)
        refs.append(sat)
    assert_same_as_reference(load(path).satrecs(), refs)


def test_namespace_qualified_xml(sample_rows):
    text = as_xml(sample_rows[:20]).replace("<ndm ", '<ndm xmlns="urn:ccsds:schema:ndmxml" ', 1)
    assert_same_columns(parse_text(text), parse_text(as_csv(sample_rows[:20])))


CELESTRAK_JSON = DATA / "celestrak_debris_groups_omm_2026-08-11.json.gz"


def test_real_celestrak_json_matches_sgp4_omm_path():
    objects = json.loads(gzip.decompress(CELESTRAK_JSON.read_bytes()))
    refs = []
    for obj in objects:
        sat = Satrec()
        sgp4_omm.initialize(sat, obj)
        refs.append(sat)
    cat = load(CELESTRAK_JSON, keep="all")
    assert len(cat) == len(objects) == 2647 and not cat.rejected
    assert_same_as_reference(cat.satrecs(), refs)


def test_gzip_and_several_files(sample_rows, tmp_path):
    plain = tmp_path / "a.csv"
    plain.write_text(as_csv(sample_rows[:100]))
    packed = tmp_path / "b.json.gz"
    packed.write_bytes(gzip.compress(as_json(sample_rows[100:]).encode()))
    cat = load([plain, packed])
    assert_same_columns(cat, parse_text(as_csv(sample_rows)))
    assert cat.source[0] == "a.csv:2" and cat.source[-1] == f"b.json.gz:{len(sample_rows) - 100}"


def test_bad_omm_rows_are_rejected_with_row_and_field(sample_rows):
    rows = [dict(r) for r in sample_rows[:9]]
    rows[1]["EPOCH"] = ""
    rows[2]["MEAN_MOTION"] = "fifteen"
    rows[3]["ECCENTRICITY"] = "1.2"
    rows[4]["NORAD_CAT_ID"] = ""
    rows[5]["NORAD_CAT_ID"] = "270001234"  # a 9-digit id: valid
    rows[6]["INCLINATION"] = "-1"
    rows[8]["EPOCH"] = "1900-01-01T00:00:00.000000"
    text = as_csv(rows) + "ONLY,THREE,COLUMNS\n"
    cat = parse_text(text, source="bad.csv")
    assert cat.norad_id.tolist() == [int(rows[0]["NORAD_CAT_ID"]), 270001234, int(rows[7]["NORAD_CAT_ID"])]
    got = {r.line: r for r in cat.rejected}
    assert sorted(got) == [3, 4, 5, 6, 8, 10, 11]
    assert "EPOCH is missing" in got[3].reason and got[3].norad_id == int(rows[1]["NORAD_CAT_ID"])
    assert "MEAN_MOTION is not a number" in got[4].reason
    assert "ECCENTRICITY 1.2" in got[5].reason
    assert "NORAD_CAT_ID is missing" in got[6].reason and got[6].norad_id is None
    assert "INCLINATION -1.0" in got[8].reason
    assert "EPOCH '1900-01-01T00:00:00.000000' is outside" in got[10].reason
    assert "columns" in got[11].reason
    assert cat.satrecs()[1].satnum != 270001234  # placeholder: sgp4init refuses ids over 339999
    assert cat.satrecs()[1].jdsatepoch == cat.epoch_jd[1]


def test_radar_cross_section_from_rcs_or_rcs_size(sample_rows):
    rows = [dict(r, RCS="", RCS_SIZE="") for r in sample_rows[:5]]
    rows[0]["RCS"], rows[1]["RCS_SIZE"], rows[2]["RCS_SIZE"], rows[3]["RCS"] = "3.25", "SMALL", "LARGE", "-1"
    rows[4]["RCS"] = "big"
    cat = parse_text(as_csv(rows), source="rcs.csv")
    assert cat.rcs_m2[0] == 3.25 and cat.rcs_m2[1] == 0.1 and np.isnan(cat.rcs_m2[2])
    assert [(r.line, r.reason) for r in cat.rejected] == [(5, "RCS -1.0 m^2 is negative"),
                                                          (6, "RCS is not a number: 'big'")]
    assert np.isnan(parse_text(as_csv(sample_rows[:3])).rcs_m2).all()  # CelesTrak GP: no RCS column


def test_malformed_json_and_xml_are_reported_not_raised():
    assert "not valid OMM JSON" in parse_text("[{'bad json'", source="x.json").rejected[0].reason
    assert "not valid OMM XML" in parse_text("<ndm><omm>", source="x.xml").rejected[0].reason
    assert "not an ISO 8601" in parse_text('[{"NORAD_CAT_ID": 5, "EPOCH": 3}]').rejected[0].reason
    cat = parse_text('[{"NORAD_CAT_ID": 5}, 3]', source="x.json")
    assert len(cat) == 0 and [r.line for r in cat.rejected] == [1, 2]
    assert "is missing" in cat.rejected[0].reason and "not an object" in cat.rejected[1].reason


def test_duplicates_across_files(sample_rows, tmp_path):
    old, new = dict(sample_rows[0]), dict(sample_rows[0])
    old["EPOCH"], new["EPOCH"] = "2024-10-01T00:00:00.000000", "2024-10-02T12:00:00.000000"
    (tmp_path / "new.csv").write_text(as_csv([new, sample_rows[1]]))
    (tmp_path / "old.csv").write_text(as_csv([old]))
    files = [tmp_path / "new.csv", tmp_path / "old.csv"]
    newest = load(files)
    assert len(newest) == 2 and newest.source[0] == "new.csv:2"
    assert len(newest.notes) == 1 and "old.csv:2" in newest.notes[0]
    first = load(files[::-1], keep="first")
    assert first.source.tolist() == ["old.csv:2", "new.csv:3"]
    assert len(load(files, keep="all")) == 3
    with pytest.raises(ValueError, match="keep"):
        load(files, keep="latest")


def test_keep_first_follows_read_order_across_formats(sample_rows, tmp_path):
    """A TLE file read after an OMM file does not jump ahead of it."""
    row = sample_rows[3]
    (tmp_path / "a.json").write_text(as_json([row]))
    sat = Satrec()
    sgp4_omm.initialize(sat, row)
    line1, line2 = sgp4_exporter.export_tle(sat)
    (tmp_path / "b.tle").write_text(f"{line1}\n{line2}\n")
    first = load([tmp_path / "a.json", tmp_path / "b.tle"], keep="first")
    assert first.source.tolist() == ["a.json:1"]
    both = load([tmp_path / "a.json", tmp_path / "b.tle"], keep="all")
    assert both.source.tolist() == ["a.json:1", "b.tle:1"]
    assert both.epoch_jd[0] == both.epoch_jd[1] and abs(both.epoch_fr[0] - both.epoch_fr[1]) < 1e-8


def test_satcat_merge_shipped_map():
    satcat = load_satcat(SHIPPED_SATCAT)
    assert len(satcat) > 60000
    cat = load(SHIPPED_CATALOG, satcat=SHIPPED_SATCAT)
    known = np.array([n in satcat for n in cat.norad_id.tolist()])
    assert known.mean() > 0.97  # the rest: analyst (80000-89999) and unidentified (270000+) objects
    assert (cat.norad_id[~known] >= 80000).all()
    for i in np.flatnonzero(known)[::997]:
        owner, object_type = satcat[int(cat.norad_id[i])]
        assert cat.owner[i] == owner and cat.object_type[i] == object_type
    assert set(cat.object_type[known]) <= {"PAY", "R/B", "DEB", "UNK"}


def test_satcat_full_celestrak_columns(tmp_path):
    path = tmp_path / "satcat.csv"
    path.write_text(
        "OBJECT_NAME,OBJECT_ID,NORAD_CAT_ID,OBJECT_TYPE,OPS_STATUS_CODE,OWNER,LAUNCH_DATE,LAUNCH_SITE,DECAY_DATE,"
        "PERIOD,INCLINATION,APOGEE,PERIGEE,RCS,DATA_STATUS_CODE,ORBIT_CENTER,ORBIT_TYPE\n"
        "VANGUARD 1,1958-002B,5,PAY,,US,1958-03-17,AFETR,,132.75,34.25,3823,650,0.122,,EA,ORB\n"
        "ISS (ZARYA),1998-067A,25544,PAY,+,ISS,1998-11-20,TYMSC,,92.9,51.64,423,417,399.0524,,EA,ORB\n")
    assert load_satcat(path) == {5: ("US", "PAY"), 25544: ("ISS", "PAY")}
    bad = tmp_path / "nocols.csv"
    bad.write_text("NORAD_CAT_ID,NAME\n5,X\n")
    with pytest.raises(ValueError, match="OWNER"):
        load_satcat(bad)
