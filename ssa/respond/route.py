"""Route an alert to the parties of the Dutch response mechanism."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from ssa.respond.alert import Alert, AlertObject
from ssa.respond.config import OPERATOR, Citation, ResponseConfig, Rule, Share, load_config


@dataclass(frozen=True)
class ObjectInterest:
    """Whether an object is of Dutch interest, and why."""

    norad_id: int | None
    name: str
    category: str  # a category of interest.toml, "" for none
    operator: str  # who runs it, "" when unknown or of no Dutch interest
    reason: str


@dataclass(frozen=True)
class Routing:
    """Who leads, supports and is informed; what each does and shares; and why."""

    alert_id: str
    incident: str
    domain: str  # "safety" or "security"
    level: str
    paged: bool  # False: logged only, nobody paged
    lead: str
    supporting: tuple[str, ...]
    informed: tuple[str, ...]
    notify: tuple[str, ...]  # parties to page, in order: operator first; empty when not paged
    operators: tuple[str, ...]  # who "operator" stands for, per object of Dutch interest
    actions: dict[str, str]
    share: tuple[Share, ...]
    rule_id: str
    basis: str  # "stated" or "inferred"
    why: str
    cite: tuple[Citation, ...]
    interests: tuple[ObjectInterest, ...]
    explanation: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "alert_id": self.alert_id, "incident": self.incident, "domain": self.domain,
            "level": self.level, "paged": self.paged, "lead": self.lead,
            "supporting": list(self.supporting), "informed": list(self.informed),
            "notify": list(self.notify), "operators": list(self.operators), "actions": dict(self.actions),
            "share": [{"what": s.what, "with": list(s.with_)} for s in self.share],
            "rule": self.rule_id, "basis": self.basis, "why": self.why,
            "cite": [{"letter": c.letter, "section": c.section, "quote": c.quote} for c in self.cite],
            "interests": [vars(i) for i in self.interests], "explanation": list(self.explanation),
        }


def object_interest(obj: AlertObject, cfg: ResponseConfig) -> ObjectInterest:
    """Dutch interest of one object: asset registry, then tenant, then SATCAT owner."""
    label = f"NORAD {obj.norad_id}" + (f" {obj.name}" if obj.name else "")
    asset = cfg.assets.get(obj.norad_id) if obj.norad_id is not None else None
    if asset is not None:
        return ObjectInterest(obj.norad_id, obj.name or asset.name, asset.category, asset.operator,
                              f"{label}: {asset.category} (asset registry {cfg.files['dutch_assets.csv'].name} "
                              f"line {asset.line}: {asset.source})")
    if obj.tenant:
        category = cfg.tenant_categories.get(obj.tenant, cfg.tenant_default)
        if category:
            return ObjectInterest(obj.norad_id, obj.name, category, f"tenant {obj.tenant}",
                                  f"{label}: {category} (registered by tenant '{obj.tenant}')")
    category = cfg.owners.get(obj.owner, "")
    if category and obj.object_type in cfg.owner_object_types:
        return ObjectInterest(obj.norad_id, obj.name, category, f"SATCAT owner {obj.owner}",
                              f"{label}: {category} (SATCAT owner {obj.owner}, type {obj.object_type})")
    why = f"owner {obj.owner or '?'}, type {obj.object_type or '?'}"
    if category:
        why += f": owner code counts only for types {sorted(cfg.owner_object_types)}"
    return ObjectInterest(obj.norad_id, obj.name, "", "", f"{label}: no Dutch interest ({why})")


def escalation_level(alert: Alert, now: datetime, cfg: ResponseConfig) -> tuple[str, str]:
    """(level, reason) from the alert's own level or the incident's criteria."""
    if alert.level:
        if alert.level not in cfg.levels:
            raise ValueError(f"alert: field 'level' '{alert.level}' is not a level ({', '.join(cfg.levels)})")
        return alert.level, f"level {alert.level}: set by the alert"
    hours = None if alert.tca is None else (alert.tca - now).total_seconds() / 3600.0
    for crit in cfg.criteria[alert.incident]:
        held = []
        if crit.pc_unknown:
            if alert.pc is not None:
                continue
            held.append("no Pc")
        if crit.pc_min is not None:
            if alert.pc is None or alert.pc < crit.pc_min:
                continue
            held.append(f"Pc {alert.pc:.2e} >= {crit.pc_min:.0e}")
        if crit.miss_km_max is not None:
            if alert.miss_km is None or alert.miss_km > crit.miss_km_max:
                continue
            held.append(f"miss {alert.miss_km:.3f} km <= {crit.miss_km_max:g} km")
        if crit.tca_within_h is not None:
            if hours is None or hours > crit.tca_within_h:
                continue
            held.append(f"event in {hours:.1f} h <= {crit.tca_within_h:g} h")
        return crit.level, f"level {crit.level}: {', '.join(held)} ({crit.source})"
    default = cfg.default_level[alert.incident]
    return default, f"level {default}: default for {alert.incident} (no criterion of escalation.toml holds)"


def route(alert: Alert, config: ResponseConfig | None = None) -> Routing:
    """Route an alert by the first matching rule; ValueError names a bad alert field."""
    cfg = config or load_config()
    if alert.incident not in cfg.incidents:
        raise ValueError(f"alert: field 'incident' '{alert.incident}' is not an incident type "
                         f"({', '.join(cfg.incidents)})")
    if alert.region and alert.region not in cfg.regions:
        raise ValueError(f"alert: field 'region' '{alert.region}' is not a region of interest.toml "
                         f"({', '.join(cfg.regions)}) or '' (elsewhere)")
    now = alert.now or datetime.now(timezone.utc)
    incident = cfg.incidents[alert.incident]
    explanation = [f"incident {incident.id}: space {incident.domain} ("
                   + "; ".join(str(c) for c in cfg.domains[incident.domain][:1]) + ")"]

    interests = tuple(object_interest(obj, cfg) for obj in alert.objects)
    explanation += [i.reason for i in interests]
    present = {i.category for i in interests if i.category}
    if alert.region:
        present.add(alert.region)
        explanation.append(f"region {alert.region}: {cfg.regions[alert.region]}")

    level, level_reason = escalation_level(alert, now, cfg)
    explanation.append(level_reason)

    rule, via = _first_rule(cfg.rules, alert.incident, level, frozenset(present))
    explanation.append(f"rule {rule.id} fired: first rule in rules.toml for {alert.incident} at level "
                       f"{level} with interest {via if via != '*' else 'any (' + (', '.join(sorted(present)) or 'none') + ')'}")
    explanation.append(f"basis {rule.basis}: {rule.why}")

    operators = tuple(dict.fromkeys(i.operator for i in interests if i.category and i.operator))
    paged = cfg.levels[level].page and rule.page
    parties = [p for p in rule.parties() if p != OPERATOR or operators]
    if OPERATOR in parties:
        parties.remove(OPERATOR)
        parties.insert(0, OPERATOR)
    if OPERATOR in rule.parties() and not operators:
        explanation.append("no object of Dutch interest: no operator to notify")
    if not paged:
        why_not = f"level {level} pages nobody" if not cfg.levels[level].page else f"rule {rule.id} pages nobody"
        explanation.append(f"logged only: {why_not}")
    return Routing(
        alert_id=alert.id, incident=alert.incident, domain=incident.domain, level=level, paged=paged,
        lead=rule.lead, supporting=rule.supporting, informed=rule.informed,
        notify=tuple(parties) if paged else (), operators=operators, actions=dict(rule.actions),
        share=rule.share, rule_id=rule.id, basis=rule.basis, why=rule.why, cite=rule.cite,
        interests=interests, explanation=tuple(explanation),
    )


def _first_rule(rules: tuple[Rule, ...], incident: str, level: str, present: frozenset[str]) -> tuple[Rule, str]:
    for rule in rules:
        via = rule.matches(incident, level, present)
        if via is not None:
            return rule, via
    # load_config checks coverage for every single interest; several at once always reach a rule too
    raise LookupError(f"no rule for incident {incident} at level {level} with interests {sorted(present)}")
