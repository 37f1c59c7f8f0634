"""Load and check the response mechanism's data files.

The defaults ship inside the package, ``ssa/respond/data/`` (read through
``importlib.resources``, so they work from an installed wheel). An operator of the service points
to its own directory with the ``config_dir`` argument or the SSA_RESPONSE_DIR
environment variable: each file found there replaces the default of the same
name (``parties.toml``, ``incident_types.toml``, ``escalation.toml``,
``interest.toml``, ``rules.toml``, ``letters.toml``, ``dutch_assets.csv``,
``flies_together.csv``).
Anything wrong raises ConfigError naming the file, the entry and the field.
"""
from __future__ import annotations

import csv
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

DEFAULT_DIR = resources.files("ssa.respond") / "data"  # a directory: the package is installed unzipped
ENV_DIR = "SSA_RESPONSE_DIR"
BASES = ("stated", "inferred")
WILDCARD = "*"
NO_INTEREST = "none"
OPERATOR = "operator"  # stands for the owner/operator of each object of Dutch interest


class ConfigError(ValueError):
    """A response data file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Citation:
    letter: str
    section: str
    quote: str

    def __str__(self) -> str:
        return f'{self.letter} "{self.section}": "{self.quote}"'


@dataclass(frozen=True)
class Party:
    id: str
    name_nl: str
    name_en: str
    role: str
    basis: str
    cite: tuple[Citation, ...]
    contact: dict[str, str]

    def unfilled_contacts(self) -> list[str]:
        """Contact fields still holding a <placeholder>."""
        return [k for k, v in self.contact.items() if v.startswith("<") and v.endswith(">")]


@dataclass(frozen=True)
class IncidentType:
    id: str
    name_nl: str
    name_en: str
    domain: str  # "safety" or "security"
    why: str
    cite: tuple[Citation, ...]


@dataclass(frozen=True)
class Level:
    id: str
    rank: int
    page: bool
    description: str


@dataclass(frozen=True)
class Criterion:
    level: str
    source: str
    pc_min: float | None = None
    miss_km_max: float | None = None
    tca_within_h: float | None = None
    pc_unknown: bool = False
    at_least: tuple[tuple[str, float], ...] = ()  # (evidence name, lower bound)
    at_most: tuple[tuple[str, float], ...] = ()  # (evidence name, upper bound)


@dataclass(frozen=True)
class Evidence:
    """A measurement an alert of an incident type may carry, and its valid range."""

    name: str
    description: str
    low: float
    high: float


@dataclass(frozen=True)
class Share:
    what: str
    with_: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    id: str
    incident: str
    interest: tuple[str, ...]
    levels: tuple[str, ...]
    lead: str
    supporting: tuple[str, ...]
    informed: tuple[str, ...]
    actions: dict[str, str]
    share: tuple[Share, ...]
    page: bool
    basis: str
    why: str
    cite: tuple[Citation, ...]

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


@dataclass(frozen=True)
class Asset:
    norad_id: int
    name: str
    category: str
    operator: str
    owner: str
    source: str
    line: int  # line in the registry file


@dataclass
class ResponseConfig:
    """Everything route() needs, checked for consistency."""

    letters: dict[str, dict]
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


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _get(entry: dict, key: str, where: str, kind=str, default=...):
    if key not in entry:
        if default is ...:
            raise ConfigError(f"{where}: missing field '{key}'")
        return default
    value = entry[key]
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: field '{key}' must be {getattr(kind, '__name__', kind)}, not {value!r}")
    return value


def _citations(entry: dict, where: str, letters: dict) -> tuple[Citation, ...]:
    cites = _get(entry, "cite", where, list, default=[])
    if not cites:
        raise ConfigError(f"{where}: missing citation (field 'cite': letter, section, quote)")
    out = []
    for i, cite in enumerate(cites):
        at = f"{where} cite[{i}]"
        if not isinstance(cite, dict):
            raise ConfigError(f"{at}: must be a table with letter, section, quote")
        letter = _get(cite, "letter", at)
        section = _get(cite, "section", at)
        quote = _get(cite, "quote", at)
        if letter not in letters:
            raise ConfigError(f"{at}: unknown letter '{letter}' (known: {', '.join(letters)})")
        headings = letters[letter].get("sections", [])
        if not section.startswith("voetnoot ") and sum(h.startswith(section) for h in headings) != 1:
            raise ConfigError(f"{at}: section '{section}' is not one heading of {letter} in letters.toml")
        if not quote.strip():
            raise ConfigError(f"{at}: empty quote")
        out.append(Citation(letter, section, quote))
    return tuple(out)


def _ids(entries: list, where: str) -> None:
    seen = set()
    for entry in entries:
        eid = _get(entry, "id", where)
        if eid in seen:
            raise ConfigError(f"{where}: duplicate id '{eid}'")
        seen.add(eid)


def _load_parties(path: Path, letters: dict) -> dict[str, Party]:
    entries = _get(_read_toml(path), "party", str(path), list)
    _ids(entries, str(path))
    parties = {}
    for entry in entries:
        where = f"{path.name} party '{entry['id']}'"
        basis = _get(entry, "basis", where)
        if basis not in BASES:
            raise ConfigError(f"{where}: field 'basis' must be one of {BASES}, not '{basis}'")
        contact = _get(entry, "contact", where, dict, default={})
        parties[entry["id"]] = Party(
            id=entry["id"],
            name_nl=_get(entry, "name_nl", where),
            name_en=_get(entry, "name_en", where),
            role=_get(entry, "role", where),
            basis=basis,
            cite=_citations(entry, where, letters),
            contact={str(k): str(v) for k, v in contact.items()},
        )
    if OPERATOR not in parties:
        raise ConfigError(f"{path}: party '{OPERATOR}' (owner/operator of the asset) is required")
    return parties


def _load_incidents(path: Path, letters: dict):
    data = _read_toml(path)
    domains = {}
    for name, entry in _get(data, "domain", str(path), dict).items():
        domains[name] = _citations(entry, f"{path.name} domain '{name}'", letters)
    entries = _get(data, "incident", str(path), list)
    _ids(entries, str(path))
    incidents = {}
    for entry in entries:
        where = f"{path.name} incident '{entry['id']}'"
        domain = _get(entry, "domain", where)
        if domain not in domains:
            raise ConfigError(f"{where}: field 'domain' must be one of {sorted(domains)}, not '{domain}'")
        incidents[entry["id"]] = IncidentType(
            id=entry["id"],
            name_nl=_get(entry, "name_nl", where),
            name_en=_get(entry, "name_en", where),
            domain=domain,
            why=_get(entry, "why", where),
            cite=_citations(entry, where, letters),
        )
    return domains, incidents


CRITERION_KEYS = {"level", "source", "pc_min", "miss_km_max", "tca_within_h", "pc_unknown", "at_least", "at_most"}
INCIDENT_KEYS = {"default", "criteria", "current_for_h", "evidence"}


def _load_event_terms(path: Path, incidents: dict, levels: dict):
    """escalation.toml's `past_level` and, per incident type, `current_for_h` and `evidence`."""
    data = _read_toml(path)
    past_level = _get(data, "past_level", path.name)
    if past_level not in levels:
        raise ConfigError(f"{path.name}: field 'past_level' names unknown level '{past_level}'")
    per_incident = _get(data, "incident", str(path), dict)
    current_for_h, evidence = {}, {}
    number = (int, float)
    for incident in incidents:
        where = f"{path.name} incident '{incident}'"
        entry = per_incident.get(incident, {})
        current_for_h[incident] = float(_get(entry, "current_for_h", where, number, 0))
        if current_for_h[incident] < 0:
            raise ConfigError(f"{where}: field 'current_for_h' must be >= 0 hours")
        evidence[incident] = {}
        for name, spec in _get(entry, "evidence", where, dict, default={}).items():
            at = f"{where} evidence '{name}'"
            low, high = _get(spec, "min", at, number), _get(spec, "max", at, number)
            if not low < high:
                raise ConfigError(f"{at}: field 'min' must be below 'max'")
            evidence[incident][name] = Evidence(name, _get(spec, "description", at), float(low), float(high))
    return current_for_h, evidence, past_level


def _load_escalation(path: Path, incidents: dict):
    data = _read_toml(path)
    entries = _get(data, "level", str(path), list)
    _ids(entries, str(path))
    levels = {}
    for rank, entry in enumerate(entries):
        where = f"{path.name} level '{entry['id']}'"
        levels[entry["id"]] = Level(entry["id"], rank, _get(entry, "page", where, bool), _get(entry, "description", where))
    per_incident = _get(data, "incident", str(path), dict)
    default_level, criteria = {}, {}
    number = (int, float)
    for incident in incidents:
        where = f"{path.name} incident '{incident}'"
        if incident not in per_incident:
            raise ConfigError(f"{where}: missing (every incident type needs a default level)")
        entry = per_incident[incident]
        unknown = set(entry) - INCIDENT_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {sorted(unknown)} (known: {sorted(INCIDENT_KEYS)})")
        default = _get(entry, "default", where)
        if default not in levels:
            raise ConfigError(f"{where}: field 'default' names unknown level '{default}'")
        default_level[incident] = default
    _, evidence, _ = _load_event_terms(path, incidents, levels)
    for incident in incidents:
        where = f"{path.name} incident '{incident}'"
        entry = per_incident[incident]
        items = []
        for i, crit in enumerate(_get(entry, "criteria", where, list, default=[])):
            at = f"{where} criteria[{i}]"
            unknown = set(crit) - CRITERION_KEYS
            if unknown:
                raise ConfigError(f"{at}: unknown field(s) {sorted(unknown)} (known: {sorted(CRITERION_KEYS)})")
            level = _get(crit, "level", at)
            if level not in levels:
                raise ConfigError(f"{at}: field 'level' names unknown level '{level}'")
            bounds = {}
            for key in ("at_least", "at_most"):
                bounds[key] = tuple(_get(crit, key, at, dict, default={}).items())
                for name, value in bounds[key]:
                    if name not in evidence[incident]:
                        raise ConfigError(f"{at}: field '{key}' names evidence '{name}' that the incident "
                                          f"does not declare (known: {sorted(evidence[incident])})")
                    if isinstance(value, bool) or not isinstance(value, number):
                        raise ConfigError(f"{at}: field '{key}.{name}' must be a number, not {value!r}")
            items.append(Criterion(
                level=level,
                source=_get(crit, "source", at),
                pc_min=_get(crit, "pc_min", at, number, None),
                miss_km_max=_get(crit, "miss_km_max", at, number, None),
                tca_within_h=_get(crit, "tca_within_h", at, number, None),
                pc_unknown=_get(crit, "pc_unknown", at, bool, False),
                at_least=bounds["at_least"],
                at_most=bounds["at_most"],
            ))
        criteria[incident] = tuple(items)
    for name in per_incident:
        if name not in incidents:
            raise ConfigError(f"{path.name} incident '{name}': not an incident type of incident_types.toml")
    return levels, default_level, criteria


def load_assets(path: Path, categories: dict) -> dict[int, Asset]:
    """The asset registry CSV: norad_id,name,category,operator,owner,source."""
    assets = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            need = {"norad_id", "name", "category", "operator", "owner", "source"}
            missing = need - set(reader.fieldnames or ())
            if missing:
                raise ConfigError(f"{path}: missing column(s) {sorted(missing)}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                try:
                    norad = int(row["norad_id"])
                except ValueError:
                    raise ConfigError(f"{where}: field 'norad_id' is not an integer: {row['norad_id']!r}") from None
                if row["category"] not in categories:
                    raise ConfigError(f"{where}: field 'category' '{row['category']}' is not one of {sorted(categories)}")
                if not row["source"].strip():
                    raise ConfigError(f"{where}: field 'source' is empty (say where the entry comes from)")
                if norad in assets:
                    raise ConfigError(f"{where}: NORAD {norad} listed twice (first on line {assets[norad].line})")
                assets[norad] = Asset(norad, row["name"], row["category"], row["operator"], row["owner"],
                                      row["source"], reader.line_num)
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


def _load_interest(path: Path):
    data = _read_toml(path)
    where = path.name
    categories = _get(data, "categories", where, dict)
    regions = _get(data, "regions", where, dict)
    owners = _get(data, "owners", where, dict)
    for code, cat in owners.items():
        if cat not in categories:
            raise ConfigError(f"{where} owners: code '{code}' maps to unknown category '{cat}'")
    tenants = _get(data, "tenants", where, dict, default={})
    tenant_default = _get(tenants, "default_category", f"{where} tenants", str, "")
    tenant_categories = _get(tenants, "categories", f"{where} tenants", dict, {})
    for tenant, cat in [("default_category", tenant_default), *tenant_categories.items()]:
        if cat and cat not in categories:
            raise ConfigError(f"{where} tenants: '{tenant}' maps to unknown category '{cat}'")
    return (categories, regions, owners, frozenset(_get(data, "owner_object_types", where, list)),
            tenant_default, tenant_categories)


RULE_KEYS = {"id", "incident", "interest", "levels", "lead", "supporting", "informed", "actions", "share",
             "page", "basis", "why", "cite"}


def _load_rules(path: Path, cfg: ResponseConfig) -> tuple[Rule, ...]:
    entries = _get(_read_toml(path), "rule", str(path), list)
    _ids(entries, str(path))
    rules = []
    for entry in entries:
        where = f"{path.name} rule '{entry['id']}'"
        unknown = set(entry) - RULE_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {sorted(unknown)}")
        incident = _get(entry, "incident", where)
        if incident not in cfg.incidents:
            raise ConfigError(f"{where}: field 'incident' names unknown incident type '{incident}'")
        interest = tuple(_get(entry, "interest", where, list))
        for name in interest:
            if name != WILDCARD and name not in cfg.interest_values():
                raise ConfigError(f"{where}: field 'interest' names unknown interest '{name}' "
                                  f"(known: {', '.join(cfg.interest_values())}, *)")
        levels = tuple(_get(entry, "levels", where, list))
        for name in levels:
            if name != WILDCARD and name not in cfg.levels:
                raise ConfigError(f"{where}: field 'levels' names unknown level '{name}'")
        if "lead" not in entry or not entry["lead"]:
            raise ConfigError(f"{where}: missing field 'lead' (every rule names the party that leads)")
        lead = _get(entry, "lead", where)
        roles = {"lead": (lead,)}
        for key in ("supporting", "informed"):
            roles[key] = tuple(_get(entry, key, where, list, default=[]))
        for key, ids in roles.items():
            for pid in ids:
                if pid not in cfg.parties:
                    raise ConfigError(f"{where}: field '{key}' names unknown party '{pid}'")
        in_rule = {pid for ids in roles.values() for pid in ids}
        actions = _get(entry, "actions", where, dict, default={})
        for pid in actions:
            if pid not in in_rule:
                raise ConfigError(f"{where}: field 'actions' names party '{pid}' that is not lead, supporting or informed")
        for pid in in_rule:
            if pid not in actions:
                raise ConfigError(f"{where}: field 'actions' gives no expected action for party '{pid}'")
        shares = []
        for i, item in enumerate(_get(entry, "share", where, list, default=[])):
            at = f"{where} share[{i}]"
            with_ = tuple(_get(item, "with", at, list))
            for pid in with_:
                if pid not in in_rule:
                    raise ConfigError(f"{at}: field 'with' names party '{pid}' that is not in the rule")
            shares.append(Share(_get(item, "what", at), with_))
        basis = _get(entry, "basis", where, default="")
        if basis not in BASES:
            raise ConfigError(f"{where}: field 'basis' must be 'stated' or 'inferred', not '{basis}'")
        rules.append(Rule(
            id=entry["id"], incident=incident, interest=interest, levels=levels, lead=lead,
            supporting=roles["supporting"], informed=roles["informed"], actions=dict(actions),
            share=tuple(shares), page=_get(entry, "page", where, bool, True), basis=basis,
            why=_get(entry, "why", where), cite=_citations(entry, where, cfg.letters),
        ))
    _check_coverage(path, rules, cfg)
    return tuple(rules)


def _check_coverage(path: Path, rules: list[Rule], cfg: ResponseConfig) -> None:
    """Every (incident type, level, interest) must reach a rule (and so a lead)."""
    for incident in cfg.incidents:
        for level in cfg.levels:
            for interest in cfg.interest_values():
                interests = frozenset() if interest == NO_INTEREST else frozenset([interest])
                if not any(r.matches(incident, level, interests) for r in rules):
                    raise ConfigError(f"{path.name}: no rule gives a lead for incident '{incident}' "
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
    letters = _read_toml(files["letters.toml"])
    parties = _load_parties(files["parties.toml"], letters)
    domains, incidents = _load_incidents(files["incident_types.toml"], letters)
    levels, default_level, criteria = _load_escalation(files["escalation.toml"], incidents)
    (categories, regions, owners, owner_types, tenant_default,
     tenant_categories) = _load_interest(files["interest.toml"])
    cfg = ResponseConfig(
        letters=letters, parties=parties, incidents=incidents, domains=domains, levels=levels,
        default_level=default_level, criteria=criteria, categories=categories, regions=regions,
        owners=owners, owner_object_types=owner_types, tenant_default=tenant_default,
        tenant_categories=tenant_categories, assets=load_assets(files["dutch_assets.csv"], categories), rules=(), files=files,
    )
    cfg.rules = _load_rules(files["rules.toml"], cfg)
    cfg.together = load_together(files["flies_together.csv"])
    cfg.current_for_h, cfg.evidence, cfg.past_level = _load_event_terms(files["escalation.toml"], incidents, levels)
    return cfg
