"""Load and check the response mechanism's data files.

The defaults ship inside the package, ``ssa/respond/data/`` (read through
``importlib.resources``, so they work from an installed wheel). An operator of the service points
to its own directory with the ``config_dir`` argument or the SSA_RESPONSE_DIR
environment variable: each file found there replaces the default of the same
name (``parties.toml``, ``incident_types.toml``, ``escalation.toml``,
``interest.toml``, ``rules.toml``, ``letters.toml``, ``dutch_assets.csv``,
``flies_together.csv``).

Every file is validated by a schema (the models below: no unknown key anywhere, every field of
its type), then cross-checked (parties, levels, letters and incident types named exist). Anything
wrong raises ConfigError naming the file, the entry and the field, one problem a line
(``ssa.respond.schema``).
"""
from __future__ import annotations

import csv
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator

from ssa.respond.schema import Many, Names, Schema, SchemaError

DEFAULT_DIR = resources.files("ssa.respond") / "data"  # a directory: the package is installed unzipped
ENV_DIR = "SSA_RESPONSE_DIR"
WILDCARD = "*"
NO_INTEREST = "none"
OPERATOR = "operator"  # stands for the owner/operator of each object of Dutch interest
Basis = Literal["stated", "inferred"]  # the letters say so / this project draws it from them


class ConfigError(ValueError):
    """A response data file is missing, malformed or inconsistent."""


class Citation(Schema):
    letter: str
    section: str
    quote: str

    def __str__(self) -> str:
        return f'{self.letter} "{self.section}": "{self.quote}"'


class Letter(Schema):
    """letters.toml: one parliamentary letter, its section headings in order."""

    file: str
    title: str
    sections: Names


class Party(Schema):
    id: str
    name_nl: str
    name_en: str
    called: Names = ()  # names by which the letters call the party
    role: str
    basis: Basis
    cite: Many[Citation] = ()
    contact: dict[str, str] = {}

    def unfilled_contacts(self) -> list[str]:
        """Contact fields still holding a <placeholder>."""
        return [k for k, v in self.contact.items() if v.startswith("<") and v.endswith(">")]


class PartiesFile(Schema):
    party: Many[Party]


class Domain(Schema):
    """incident_types.toml: space safety or space security."""

    name: str
    cite: Many[Citation] = ()


class IncidentType(Schema):
    id: str
    name_nl: str
    name_en: str
    domain: str  # a domain of incident_types.toml: "safety" or "security"
    why: str
    cite: Many[Citation] = ()


class IncidentTypesFile(Schema):
    domain: dict[str, Domain]
    incident: Many[IncidentType]


class Level(Schema):
    id: str
    page: bool
    description: str
    _rank: int = PrivateAttr(0)

    @property
    def rank(self) -> int:
        """Position on the ladder of escalation.toml, 0 the lowest."""
        return self._rank


class Criterion(Schema):
    level: str
    source: str
    pc_min: float | None = Field(None, ge=0.0, le=1.0)
    miss_km_max: float | None = Field(None, ge=0.0)
    tca_within_h: float | None = None
    pc_unknown: bool = False
    at_least: dict[str, float] = {}  # evidence name -> lower bound
    at_most: dict[str, float] = {}  # evidence name -> upper bound


class Evidence(Schema):
    """A measurement an alert of an incident type may carry, and its valid range."""

    description: str
    low: float = Field(alias="min")
    high: float = Field(alias="max")

    @model_validator(mode="after")
    def _low_below_high(self) -> Evidence:
        if not self.low < self.high:
            raise ValueError("field 'min' must be below 'max'")
        return self


class IncidentTerms(Schema):
    """escalation.toml [incident.NAME]: default level, hours current, evidence, criteria."""

    default: str
    current_for_h: float = Field(0.0, ge=0.0)  # hours after its event time that an event stays current
    evidence: dict[str, Evidence] = {}
    criteria: Many[Criterion] = ()


class EscalationFile(Schema):
    past_level: str  # the highest level of an event that is past
    level: Many[Level]
    incident: dict[str, IncidentTerms]


class Tenants(Schema):
    default_category: str = ""
    categories: dict[str, str] = {}  # tenant id -> category


class InterestFile(Schema):
    categories: dict[str, str]
    regions: dict[str, str]
    owners: dict[str, str]  # SATCAT owner code -> category
    owner_object_types: Names
    tenants: Tenants = Tenants()


class Share(Schema):
    what: str
    with_: Names = Field(alias="with")


class Rule(Schema):
    id: str
    incident: str
    interest: Names
    levels: Names
    lead: str = Field(min_length=1)
    supporting: Names = ()
    informed: Names = ()
    actions: dict[str, str] = {}
    share: Many[Share] = ()
    page: bool = True
    basis: Basis
    why: str
    cite: Many[Citation] = ()

    def parties(self) -> tuple[str, ...]:
        return (self.lead, *self.supporting, *self.informed)

    def matches(self, incident: str, level: str, interests: frozenset[str]) -> str | None:
        """The interest through which this rule matches, or None."""
        if incident != self.incident or (WILDCARD not in self.levels and level not in self.levels):
            return None
        if WILDCARD in self.interest:
            return WILDCARD
        for name in self.interest:
            if name in interests or (name == NO_INTEREST and not interests):
                return name
        return None


class RulesFile(Schema):
    rule: Many[Rule]


class Asset(Schema):
    """A row of the asset registry CSV."""

    norad_id: int
    name: str
    category: str
    operator: str
    owner: str
    source: str
    line: int  # line in the registry file


ASSET_COLUMNS = ("norad_id", "name", "category", "operator", "owner", "source")


@dataclass
class ResponseConfig:
    """Everything route() needs, checked for consistency."""

    letters: dict[str, Letter]
    parties: dict[str, Party]
    incidents: dict[str, IncidentType]
    domains: dict[str, tuple[Citation, ...]]
    levels: dict[str, Level]
    default_level: dict[str, str]
    criteria: dict[str, tuple[Criterion, ...]]
    categories: dict[str, str]
    regions: dict[str, str]
    owners: dict[str, str]
    owner_object_types: frozenset[str]
    tenant_default: str
    tenant_categories: dict[str, str]
    assets: dict[int, Asset]
    rules: tuple[Rule, ...]
    files: dict[str, Path] = field(default_factory=dict)
    current_for_h: dict[str, float] = field(default_factory=dict)  # hours an event stays current
    past_level: str = ""  # the highest level of an event that is past
    evidence: dict[str, dict[str, Evidence]] = field(default_factory=dict)
    # objects declared to fly together (docked vehicles, formations): group -> NORAD ids
    together: dict[str, frozenset[int]] = field(default_factory=dict)

    def interest_values(self) -> list[str]:
        return [*self.categories, *self.regions, NO_INTEREST]


def _fail(path: Path, item: str, problem: str) -> ConfigError:
    """The error for one problem of `item` (may be "") in the file `path`."""
    return ConfigError(f"{path} {item}: {problem}" if item else f"{path}: {problem}")


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _parse(model: type[Schema], data, where: str, strict: bool | None = None):
    """`data` validated as `model`; ConfigError lists every problem, one a line."""
    try:
        return model.validated(data, where, strict=strict)
    except SchemaError as exc:
        raise ConfigError("\n".join(exc.problems)) from None


def _unique_ids(path: Path, entries) -> None:
    seen = set()
    for entry in entries:
        if entry.id in seen:
            raise _fail(path, "", f"duplicate id '{entry.id}'")
        seen.add(entry.id)


def _check_citations(path: Path, item: str, cites: tuple[Citation, ...], letters: dict[str, Letter]) -> None:
    if not cites:
        raise _fail(path, item, "missing citation (field 'cite': letter, section, quote)")
    for i, cite in enumerate(cites):
        at = f"{item} cite[{i}]"
        if cite.letter not in letters:
            raise _fail(path, at, f"unknown letter '{cite.letter}' (known: {', '.join(letters)})")
        headings = letters[cite.letter].sections
        if not cite.section.startswith("voetnoot ") and sum(h.startswith(cite.section) for h in headings) != 1:
            raise _fail(path, at, f"section '{cite.section}' is not one heading of {cite.letter} in letters.toml")
        if not cite.quote.strip():
            raise _fail(path, at, "empty quote")


def _load_letters(path: Path) -> dict[str, Letter]:
    return {name: _parse(Letter, entry, f"{path} letter '{name}'") for name, entry in _read_toml(path).items()}


def _load_parties(path: Path, letters: dict[str, Letter]) -> dict[str, Party]:
    entries = _parse(PartiesFile, _read_toml(path), str(path)).party
    _unique_ids(path, entries)
    for party in entries:
        _check_citations(path, f"party '{party.id}'", party.cite, letters)
    parties = {party.id: party for party in entries}
    if OPERATOR not in parties:
        raise _fail(path, "", f"party '{OPERATOR}' (owner/operator of the asset) is required")
    return parties


def _load_incidents(path: Path, letters: dict[str, Letter]):
    data = _parse(IncidentTypesFile, _read_toml(path), str(path))
    for name, domain in data.domain.items():
        _check_citations(path, f"domain '{name}'", domain.cite, letters)
    _unique_ids(path, data.incident)
    for incident in data.incident:
        item = f"incident '{incident.id}'"
        if incident.domain not in data.domain:
            raise _fail(path, item, f"field 'domain' must be one of {sorted(data.domain)}, not '{incident.domain}'")
        _check_citations(path, item, incident.cite, letters)
    return {name: domain.cite for name, domain in data.domain.items()}, {i.id: i for i in data.incident}


def _load_escalation(path: Path, incidents: dict[str, IncidentType]) -> EscalationFile:
    """escalation.toml, every name in it checked against its levels and `incidents`."""
    data = _parse(EscalationFile, _read_toml(path), str(path))
    _unique_ids(path, data.level)
    for rank, level in enumerate(data.level):
        level._rank = rank
    levels = {level.id: level for level in data.level}
    if data.past_level not in levels:
        raise _fail(path, "", f"field 'past_level' names unknown level '{data.past_level}'")
    for name in incidents:
        item = f"incident '{name}'"
        if name not in data.incident:
            raise _fail(path, item, "missing (every incident type needs a default level)")
        terms = data.incident[name]
        if terms.default not in levels:
            raise _fail(path, item, f"field 'default' names unknown level '{terms.default}'")
        for i, crit in enumerate(terms.criteria):
            at = f"{item} criteria[{i}]"
            if crit.level not in levels:
                raise _fail(path, at, f"field 'level' names unknown level '{crit.level}'")
            for key, bounds in (("at_least", crit.at_least), ("at_most", crit.at_most)):
                for evidence in bounds:
                    if evidence not in terms.evidence:
                        raise _fail(path, at, f"field '{key}' names evidence '{evidence}' that the incident "
                                              f"does not declare (known: {sorted(terms.evidence)})")
    for name in data.incident:
        if name not in incidents:
            raise _fail(path, f"incident '{name}'", "not an incident type of incident_types.toml")
    return data


def load_assets(path: Path, categories: dict) -> dict[int, Asset]:
    """The asset registry CSV: norad_id,name,category,operator,owner,source."""
    assets = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            columns = tuple(reader.fieldnames or ())
            missing = sorted(set(ASSET_COLUMNS) - set(columns))
            if missing:
                raise _fail(path, "", f"missing column(s) {missing}")
            unknown = sorted(set(columns) - set(ASSET_COLUMNS))
            if unknown:
                raise _fail(path, "", f"unknown column(s) {unknown} (known: {list(ASSET_COLUMNS)})")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                asset = _parse(Asset, {**row, "line": reader.line_num}, where, strict=False)
                if asset.category not in categories:
                    raise ConfigError(f"{where}: field 'category' '{asset.category}' is not one of "
                                      f"{sorted(categories)}")
                if not asset.source.strip():
                    raise ConfigError(f"{where}: field 'source' is empty (say where the entry comes from)")
                if asset.norad_id in assets:
                    raise ConfigError(f"{where}: NORAD {asset.norad_id} listed twice "
                                      f"(first on line {assets[asset.norad_id].line})")
                assets[asset.norad_id] = asset
    except FileNotFoundError:
        raise ConfigError(f"{path}: asset registry not found") from None
    return assets


TOGETHER_RELATIONS = ("docked", "formation")


def load_together(path: Path) -> dict[str, frozenset[int]]:
    """flies_together.csv: group,norad_id,name,relation,source; objects of one group fly together
    (docked or in formation), so their staying close is no proximity operation. Each group has two or
    more objects, each object one group."""
    groups: dict[str, list[int]] = {}
    where_of: dict[int, str] = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"group", "norad_id", "name", "relation", "source"} - set(reader.fieldnames or ())
            if missing:
                raise ConfigError(f"{path}: missing column(s) {sorted(missing)}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                try:
                    norad = int(row["norad_id"])
                except ValueError:
                    raise ConfigError(f"{where}: field 'norad_id' is not an integer: {row['norad_id']!r}") from None
                if not row["group"].strip():
                    raise ConfigError(f"{where}: field 'group' is empty")
                if row["relation"] not in TOGETHER_RELATIONS:
                    raise ConfigError(f"{where}: field 'relation' '{row['relation']}' is not one of "
                                      f"{list(TOGETHER_RELATIONS)}")
                if not row["source"].strip():
                    raise ConfigError(f"{where}: field 'source' is empty (say where the entry comes from)")
                if norad in where_of:
                    raise ConfigError(f"{where}: NORAD {norad} listed twice (first at {where_of[norad]})")
                where_of[norad] = where
                groups.setdefault(row["group"], []).append(norad)
    except FileNotFoundError:
        raise ConfigError(f"{path}: flies-together file not found") from None
    for name, members in groups.items():
        if len(members) < 2:
            raise ConfigError(f"{path}: group '{name}' has one object; a group needs two or more")
    return {name: frozenset(members) for name, members in groups.items()}


def _load_interest(path: Path) -> InterestFile:
    data = _parse(InterestFile, _read_toml(path), str(path))
    for code, category in data.owners.items():
        if category not in data.categories:
            raise _fail(path, "owners", f"field '{code}' maps to unknown category '{category}'")
    tenants = [("default_category", data.tenants.default_category), *data.tenants.categories.items()]
    for tenant, category in tenants:
        if category and category not in data.categories:
            raise _fail(path, "tenants", f"'{tenant}' maps to unknown category '{category}'")
    return data


def _load_rules(path: Path, cfg: ResponseConfig) -> tuple[Rule, ...]:
    rules = _parse(RulesFile, _read_toml(path), str(path)).rule
    _unique_ids(path, rules)
    for rule in rules:
        item = f"rule '{rule.id}'"
        if rule.incident not in cfg.incidents:
            raise _fail(path, item, f"field 'incident' names unknown incident type '{rule.incident}'")
        for name in rule.interest:
            if name != WILDCARD and name not in cfg.interest_values():
                raise _fail(path, item, f"field 'interest' names unknown interest '{name}' "
                                        f"(known: {', '.join(cfg.interest_values())}, *)")
        for name in rule.levels:
            if name != WILDCARD and name not in cfg.levels:
                raise _fail(path, item, f"field 'levels' names unknown level '{name}'")
        roles = {"lead": (rule.lead,), "supporting": rule.supporting, "informed": rule.informed}
        for key, ids in roles.items():
            for pid in ids:
                if pid not in cfg.parties:
                    raise _fail(path, item, f"field '{key}' names unknown party '{pid}'")
        in_rule = set(rule.parties())
        for pid in rule.actions:
            if pid not in in_rule:
                raise _fail(path, item, f"field 'actions' names party '{pid}' that is not lead, supporting or informed")
        for pid in in_rule:
            if pid not in rule.actions:
                raise _fail(path, item, f"field 'actions' gives no expected action for party '{pid}'")
        for i, share in enumerate(rule.share):
            for pid in share.with_:
                if pid not in in_rule:
                    raise _fail(path, f"{item} share[{i}]", f"field 'with' names party '{pid}' that is not in the rule")
        _check_citations(path, item, rule.cite, cfg.letters)
    _check_coverage(path, rules, cfg)
    return tuple(rules)


def _check_coverage(path: Path, rules: list[Rule], cfg: ResponseConfig) -> None:
    """Every (incident type, level, interest) must reach a rule (and so a lead)."""
    for incident in cfg.incidents:
        for level in cfg.levels:
            for interest in cfg.interest_values():
                interests = frozenset() if interest == NO_INTEREST else frozenset([interest])
                if not any(r.matches(incident, level, interests) for r in rules):
                    raise _fail(path, "", f"no rule gives a lead for incident '{incident}' "
                                          f"at level '{level}' with interest '{interest}'")


def _pick(name: str, config_dir: Path | None) -> Path:
    if config_dir is not None and (config_dir / name).is_file():
        return config_dir / name
    return DEFAULT_DIR / name


def load_config(config_dir: str | Path | None = None) -> ResponseConfig:
    """Load and check the response data: files in `config_dir` (or $SSA_RESPONSE_DIR)
    replace the packaged defaults one by one."""
    if config_dir is None and os.environ.get(ENV_DIR):
        config_dir = os.environ[ENV_DIR]
    directory = Path(config_dir) if config_dir is not None else None
    if directory is not None and not directory.is_dir():
        raise ConfigError(f"{directory}: response configuration directory not found")
    watched = [*(directory.iterdir() if directory else ()), DEFAULT_DIR / "dutch_assets.csv",
               DEFAULT_DIR / "flies_together.csv"]
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in watched if p.is_file()))
    return _load(directory, stamp)


@lru_cache(maxsize=8)
def _load(directory: Path | None, stamp: tuple) -> ResponseConfig:
    """Cached per directory and the modification times of its files (`stamp`)."""
    files = {n: _pick(n, directory) for n in (
        "letters.toml", "parties.toml", "incident_types.toml", "escalation.toml", "interest.toml", "rules.toml",
        "dutch_assets.csv", "flies_together.csv")}
    letters = _load_letters(files["letters.toml"])
    parties = _load_parties(files["parties.toml"], letters)
    domains, incidents = _load_incidents(files["incident_types.toml"], letters)
    escalation = _load_escalation(files["escalation.toml"], incidents)
    interest = _load_interest(files["interest.toml"])
    cfg = ResponseConfig(
        letters=letters, parties=parties, incidents=incidents, domains=domains,
        levels={level.id: level for level in escalation.level},
        default_level={name: terms.default for name, terms in escalation.incident.items()},
        criteria={name: terms.criteria for name, terms in escalation.incident.items()},
        categories=interest.categories, regions=interest.regions, owners=interest.owners,
        owner_object_types=frozenset(interest.owner_object_types), tenant_default=interest.tenants.default_category,
        tenant_categories=interest.tenants.categories,
        assets=load_assets(files["dutch_assets.csv"], interest.categories),
        rules=(), files=files,
        current_for_h={name: terms.current_for_h for name, terms in escalation.incident.items()},
        past_level=escalation.past_level,
        evidence={name: terms.evidence for name, terms in escalation.incident.items()},
    )
    cfg.rules = _load_rules(files["rules.toml"], cfg)
    cfg.together = load_together(files["flies_together.csv"])
    return cfg
