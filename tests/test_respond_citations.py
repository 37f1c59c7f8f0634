"""Every quote in the respond stage's data files stands in the cited letter,
inside the cited section (or footnote), searched in the whole text of the
letter (copies in tests/data/letters, public parliamentary papers)."""
import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

from ssa.respond.config import DEFAULT_DIR

LETTERS = Path(__file__).resolve().parent / "data" / "letters"


def normalise(text: str) -> str:
    """Join words hyphenated across lines, unify quotes/hyphens, collapse spaces."""
    text = re.sub(r"\[bookmark: [^\]]*\]", "", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2011", "-")
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text)


@cache
def letter_texts():
    letters = tomllib.loads((DEFAULT_DIR / "letters.toml").read_text())
    return letters, {
        lid: normalise((LETTERS / meta["file"]).read_text(encoding="utf-8"))
        for lid, meta in letters.items()
    }


def all_citations():
    """(file, owner id, citation) for every cite entry in the data files."""
    out = []
    for name, key in (("parties.toml", "party"), ("incident_types.toml", "incident"), ("rules.toml", "rule")):
        data = tomllib.loads((DEFAULT_DIR / name).read_text())
        entries = list(data[key])
        entries += [{"id": f"domain.{k}", **v} for k, v in data.get("domain", {}).items()]
        for entry in entries:
            for cite in entry["cite"]:
                out.append((name, entry["id"], cite))
    return out


def section_span(text: str, headings: list[str], section: str) -> tuple[int, int]:
    """Character span of the section whose heading starts with `section`."""
    matches = [i for i, h in enumerate(headings) if h.startswith(section)]
    assert len(matches) == 1, f"section {section!r} matches {len(matches)} headings"
    i = matches[0]
    start = text.find(normalise(headings[i]))
    assert start >= 0, f"heading {headings[i]!r} not in letter"
    end = len(text)
    if i + 1 < len(headings):
        end = text.find(normalise(headings[i + 1]), start)
        assert end > start, f"heading {headings[i + 1]!r} not after {headings[i]!r}"
    return start, end


@pytest.mark.parametrize("source,owner,cite", all_citations(), ids=lambda v: v if isinstance(v, str) else "")
def test_quote_in_cited_section(source, owner, cite):
    letters, texts = letter_texts()
    text = texts[cite["letter"]]
    quote = normalise(cite["quote"])
    positions = [m.start() for m in re.finditer(re.escape(quote), text)]
    assert positions, f"{source} {owner}: quote not in {cite['letter']}: {cite['quote']!r}"
    if cite["section"].startswith("voetnoot"):
        return
    start, end = section_span(text, letters[cite["letter"]]["sections"], cite["section"])
    assert any(start <= p < end for p in positions), (
        f"{source} {owner}: quote found in {cite['letter']} but not in section {cite['section']!r}"
    )


def parties_called() -> dict[str, list[str]]:
    """Party id -> the names the letters call it by (parties.toml `called`)."""
    parties = tomllib.loads((DEFAULT_DIR / "parties.toml").read_text())["party"]
    return {p["id"]: p["called"] for p in parties}


def named_in(names: list[str], quotes: list[str]) -> bool:
    return any(normalise(name) in normalise(q) for name in names for q in quotes)


def test_every_party_says_how_the_letters_call_it():
    called = parties_called()
    assert all(isinstance(names, list) for names in called.values())
    assert called["service-operator"] == []  # the letters do not name the service


@pytest.mark.parametrize("rule", [r for r in tomllib.loads((DEFAULT_DIR / "rules.toml").read_text())["rule"]
                                  if r["basis"] == "stated"], ids=lambda r: r["id"])
def test_stated_rule_quotes_name_its_lead(rule):
    """`basis = "stated"`: the letters name the lead for this task, so a quote names the lead."""
    names = parties_called()[rule["lead"]]
    assert names and named_in(names, [c["quote"] for c in rule["cite"]]), (
        f"rule {rule['id']} is stated but no quote names its lead {rule['lead']} ({names})")


@pytest.mark.parametrize("party", [p for p in tomllib.loads((DEFAULT_DIR / "parties.toml").read_text())["party"]
                                   if p["basis"] == "stated"], ids=lambda p: p["id"])
def test_stated_party_quotes_name_it(party):
    assert named_in(party["called"], [c["quote"] for c in party["cite"]]), (
        f"party {party['id']} is stated but no quote names it ({party['called']})")


def test_every_called_name_stands_in_a_letter():
    _, texts = letter_texts()
    for pid, names in parties_called().items():
        for name in names:
            assert any(normalise(name) in t for t in texts.values()), f"{pid}: {name!r} is in no letter"
