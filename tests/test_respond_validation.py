"""Loading the response data fails with an error naming the file, rule and
field for each kind of mistake; an operator's directory overrides defaults."""
import re
import shutil
from pathlib import Path

import pytest

from ssa.respond import Alert, AlertObject, ConfigError, load_config, route
from ssa.respond.config import DEFAULT_DIR


@pytest.fixture
def conf_dir(tmp_path):
    """A copy of the default data (and asset registry) an operator could edit."""
    for path in DEFAULT_DIR.glob("*.toml"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(DEFAULT_DIR / "dutch_assets.csv", tmp_path / "dutch_assets.csv")
    return tmp_path


def edit_rule(conf_dir: Path, rule_id: str, edit) -> None:
    """Apply `edit(block) -> block` to one [[rule]] block of rules.toml ("" drops it)."""
    path = conf_dir / "rules.toml"
    head, *blocks = path.read_text().split("\n[[rule]]\n")
    hits = [i for i, b in enumerate(blocks) if b.startswith(f'id = "{rule_id}"\n')]
    assert len(hits) == 1, rule_id
    blocks[hits[0]] = edit(blocks[hits[0]])
    path.write_text("\n[[rule]]\n".join([head] + [b for b in blocks if b]))


def drop_line(prefix):
    return lambda block: "\n".join(line for line in block.split("\n") if not line.startswith(prefix))


def test_copy_of_defaults_loads(conf_dir):
    cfg = load_config(conf_dir)
    assert cfg.files["rules.toml"] == conf_dir / "rules.toml"
    assert cfg.files["dutch_assets.csv"] == conf_dir / "dutch_assets.csv"
    assert len(cfg.rules) == len(load_config().rules)


@pytest.mark.parametrize("rule_id,edit,message", [
    ("conj-civil-warning", lambda b: b.replace('lead = "operator"', 'lead = "operater"'),
     "rule 'conj-civil-warning': field 'lead' names unknown party 'operater'"),
    ("frag-other", lambda b: b.replace('supporting = ["eu-sst"]', 'supporting = ["eusst"]'),
     "rule 'frag-other': field 'supporting' names unknown party 'eusst'"),
    ("asat-high", lambda b: b.replace('"irr"]', '"icr"]', 1),
     "rule 'asat-high': field 'informed' names unknown party 'icr'"),
    ("norms-low", lambda b: b.replace('with = ["dssc"]', 'with = ["mivd"]'),
     "rule 'norms-low' share[0]: field 'with' names party 'mivd' that is not in the rule"),
    ("recon-low", lambda b: b.replace('dssc = "Compute', 'dscc = "Compute'),
     "rule 'recon-low': field 'actions' names party 'dscc'"),
    ("reentry-logged", lambda b: re.sub(r"cite = \[\n.*?\n\]\n", "", b, flags=re.S),
     "rule 'reentry-logged': missing citation"),
    ("conj-logged", lambda b: b.replace('letter = "L5"', 'letter = "L9"'),
     "rule 'conj-logged' cite[0]: unknown letter 'L9'"),
    ("conj-logged", lambda b: b.replace('section = "Digitale veiligheid"', 'section = "Cyber"'),
     "rule 'conj-logged' cite[0]: section 'Cyber' is not one heading of L5"),
    ("conj-pnt-low", drop_line("basis ="),
     "rule 'conj-pnt-low': missing field 'basis'"),
    ("conj-pnt-low", lambda b: b.replace('basis = "inferred"', 'basis = "assumed"'),
     "rule 'conj-pnt-low': field 'basis' must be 'stated' or 'inferred', not 'assumed'"),
    ("man-civil", drop_line("lead ="), "rule 'man-civil': missing field 'lead'"),
    ("prox-allied", lambda b: b.replace('interest = ["allied"]', 'interest = ["allies"]'),
     "rule 'prox-allied': field 'interest' names unknown interest 'allies'"),
    ("recon-high", lambda b: b.replace('levels = ["warning", "emergency"]', 'levels = ["warning", "red"]'),
     "rule 'recon-high': field 'levels' names unknown level 'red'"),
    ("conj-logged", lambda b: "",
     "no rule gives a lead for incident 'conjunction' at level 'log' with interest 'allied'"),
    ("recon-high", lambda b: "",
     "no rule gives a lead for incident 'recon_overflight' at level 'warning' with interest 'military'"),
    ("reentry-logged", lambda b: "",
     "no rule gives a lead for incident 'reentry' at level 'log' with interest 'pnt'"),
])
def test_bad_rules_file_is_refused_naming_rule_and_field(conf_dir, rule_id, edit, message):
    edit_rule(conf_dir, rule_id, edit)
    with pytest.raises(ConfigError) as err:
        load_config(conf_dir)
    assert message in str(err.value)
    assert "rules.toml" in str(err.value)


def test_bad_party_incident_escalation_and_registry_files(conf_dir):
    parties = conf_dir / "parties.toml"
    original = parties.read_text()
    parties.write_text(original.replace('id = "knmi"\nname_nl', 'id = "knmi"\nnaam_nl'))
    with pytest.raises(ConfigError, match="party 'knmi': missing field 'name_nl'"):
        load_config(conf_dir)
    parties.write_text(original.replace('id = "nato"', 'id = "bz"'))
    with pytest.raises(ConfigError, match="duplicate id 'bz'"):
        load_config(conf_dir)
    parties.write_text(original)

    escalation = conf_dir / "escalation.toml"
    text = escalation.read_text()
    escalation.write_text(text.replace('{ level = "warning", pc_min = 1e-4,', '{ level = "warning", pc_mn = 1e-4,'))
    with pytest.raises(ConfigError, match=r"incident 'conjunction' criteria\[1\]: unknown field\(s\) \['pc_mn'\]"):
        load_config(conf_dir)
    escalation.write_text(text.replace("[incident.norms_violation]", "[incident.norm_violation]"))
    with pytest.raises(ConfigError, match="incident 'norms_violation': missing"):
        load_config(conf_dir)
    for old, new, message in [
        ('past_level = "info"', 'past_level = "history"', "field 'past_level' names unknown level 'history'"),
        ("at_least = { kp = 9 }", "at_least = { kpp = 9 }",
         r"incident 'space_weather' criteria\[0\]: field 'at_least' names evidence 'kpp'"),
        ("min = 0, max = 9 }", "min = 9, max = 9 }", "evidence 'kp': field 'min' must be below 'max'"),
        ("current_for_h = 72  # project default: a break-up", "current_for_h = -1  # a break-up",
         "incident 'fragmentation': field 'current_for_h' must be greater than or equal to 0, not -1"),
        ("[incident.missile_launch]\n", "[incident.missile_launch]\ncurrent_for = 1\n",
         r"incident 'missile_launch': unknown field\(s\) \['current_for'\]"),
    ]:
        assert old in text, old
        escalation.write_text(text.replace(old, new, 1))
        with pytest.raises(ConfigError, match=message):
            load_config(conf_dir)
    escalation.write_text(text)

    registry = conf_dir / "dutch_assets.csv"
    rows = registry.read_text().split("\n")
    registry.write_text("\n".join([rows[0], rows[1].replace(",military,", ",militairy,"), *rows[2:]]))
    with pytest.raises(ConfigError, match=r"dutch_assets.csv:2: field 'category' 'militairy'"):
        load_config(conf_dir)
    registry.write_text("\n".join([rows[0], "48876,BRIK-II,military,CLSK,NETH,", *rows[2:]]))
    with pytest.raises(ConfigError, match=r"dutch_assets.csv:2: field 'source' is empty"):
        load_config(conf_dir)


def test_operator_directory_from_environment(conf_dir, monkeypatch):
    """SSA_RESPONSE_DIR: an operator's registry and contacts replace the defaults."""
    (conf_dir / "dutch_assets.csv").write_text(
        "norad_id,name,category,operator,owner,source\n"
        "29228,RESURS-DK 1,allied,Test operator,CIS,test entry\n")
    parties = conf_dir / "parties.toml"
    parties.write_text(parties.read_text().replace(
        'duty_desk = "<fill in: DSSC watch>"', 'duty_desk = "+31 00 000 0000"'))
    for name in ("rules.toml", "letters.toml", "incident_types.toml", "escalation.toml", "interest.toml"):
        (conf_dir / name).unlink()  # the defaults serve for these
    monkeypatch.setenv("SSA_RESPONSE_DIR", str(conf_dir))
    cfg = load_config()
    assert cfg.parties["dssc"].contact["duty_desk"] == "+31 00 000 0000"
    assert "duty_desk" not in cfg.parties["dssc"].unfilled_contacts()
    assert cfg.files["rules.toml"] == DEFAULT_DIR / "rules.toml"
    alert = Alert("proximity_operation", (AlertObject(29228, "RESURS-DK 1", "CIS", "PAY"),), miss_km=2.0)
    assert route(alert, cfg).rule_id == "prox-allied"
    assert 48876 not in cfg.assets  # the operator's registry replaced the shipped one


def test_missing_directory_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="directory not found"):
        load_config(tmp_path / "nope")


# file, text replaced (first occurrence), what the error must say: unknown keys once ignored, wrong types
UNKNOWN_OR_BAD = [
    ("parties.toml", 'id = "knmi"\n', 'id = "knmi"\nphone = "112"\n',
     r"parties.toml party 'knmi': unknown field\(s\) \['phone'\]"),
    ("parties.toml", "[[party]]\n", "[[partie]]\nid = \"x\"\n\n[[party]]\n",
     r"parties.toml: unknown field\(s\) \['partie'\]"),
    ("parties.toml", 'letter = "L5"', 'letter = "L5", page = 3',
     r"parties.toml party '[a-z-]+' cite\[0\]: unknown field\(s\) \['page'\]"),
    ("incident_types.toml", "[[incident]]\n", "[[incident]]\nseverity = \"high\"\n",
     r"incident_types.toml incident '[a-z_]+': unknown field\(s\) \['severity'\]"),
    ("incident_types.toml", 'name = "space safety"', 'name = "space safety"\ncolour = "green"',
     r"incident_types.toml domain 'safety': unknown field\(s\) \['colour'\]"),
    ("escalation.toml", 'id = "log"\n', 'id = "log"\npaged = false\n',
     r"escalation.toml level 'log': unknown field\(s\) \['paged'\]"),
    ("escalation.toml", 'id = "log"\npage = false', 'id = "log"\npage = "no"',
     "escalation.toml level 'log': field 'page' must be a valid boolean, not 'no'"),
    ("escalation.toml", "kp = { description", "kp = { unit = \"\", description",
     r"escalation.toml incident 'space_weather' evidence 'kp': unknown field\(s\) \['unit'\]"),
    ("escalation.toml", 'past_level = "info"', 'past_level = "info"\npast_levels = "log"',
     r"escalation.toml: unknown field\(s\) \['past_levels'\]"),
    ("interest.toml", "[tenants]\n", "[tenants]\ndefault = \"civil\"\n",
     r"interest.toml tenants: unknown field\(s\) \['default'\]"),
    ("interest.toml", "[regions]\n", "[region]\n",
     r"interest.toml: missing field 'regions'"),
    ("letters.toml", 'file = "000_', 'date = 2021-06-01\nfile = "000_',
     r"letters.toml letter 'L1': unknown field\(s\) \['date'\]"),
    ("rules.toml", 'with = ["dssc"]', 'with = ["dssc"], when = "now"',
     r"rules.toml rule '[a-z-]+' share\[0\]: unknown field\(s\) \['when'\]"),
    ("rules.toml", "\npage = false\n", "\npage = 0\n",
     r"rules.toml rule '[a-z-]+': field 'page' must be a valid boolean, not 0"),
    ("dutch_assets.csv", "norad_id,name,", "norad_id,nickname,name,",
     r"dutch_assets.csv: unknown column\(s\) \['nickname'\]"),
]


@pytest.mark.parametrize("name,old,new,message", UNKNOWN_OR_BAD, ids=[m for *_, m in UNKNOWN_OR_BAD])
def test_unknown_key_or_wrong_type_anywhere_is_refused(conf_dir, name, old, new, message):
    """Unknown keys of parties, incidents, levels, letters... were once ignored: a typo went unseen."""
    path = conf_dir / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError, match=message):
        load_config(conf_dir)


def test_every_problem_of_a_file_is_listed_one_a_line(conf_dir):
    parties = conf_dir / "parties.toml"
    parties.write_text(parties.read_text().replace('id = "knmi"\nname_nl', 'id = "knmi"\nnaam_nl')
                       .replace('id = "nato"\n', 'id = "nato"\nbasis_ = 1\n'))
    with pytest.raises(ConfigError) as err:
        load_config(conf_dir)
    lines = str(err.value).splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{parties} party '") for line in lines), lines
    assert {line.split(": ", 1)[1].split(" (known")[0] for line in lines} == {
        "missing field 'name_nl'", "unknown field(s) ['naam_nl']", "unknown field(s) ['basis_']"}
