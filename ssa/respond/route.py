"""Route an alert to the parties of the Dutch response mechanism."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

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


def escalation_level(alert: Alert, now: datetime, cfg: ResponseConfig) -> tuple[str, str, bool]:
    """(level, reason, past) from the alert's own level or the incident's criteria.

    An event more than `current_for_h` (escalation.toml) before `now` is past:
    history, at most `past_level` (escalation.toml), and nobody is paged."""
    hours = None if alert.tca is None else (alert.tca - now).total_seconds() / 3600.0
    if hours is not None and hours < -cfg.current_for_h[alert.incident]:
        level = alert.level or cfg.default_level[alert.incident]
        level = min(level, cfg.past_level, key=lambda name: cfg.levels[name].rank)
        return level, (f"level {level}: event at {alert.tca:%Y-%m-%d %H:%M} UTC is {-hours:.1f} h before now, "
                       f"past the {cfg.current_for_h[alert.incident]:g} h it stays current "
                       f"(escalation.toml): history, at most {cfg.past_level}, nobody paged"), True
    if alert.level:
        return alert.level, f"level {alert.level}: set by the alert", False
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
        if any(alert.evidence.get(name, -math.inf) < bound for name, bound in crit.at_least.items()):
            continue
        if any(alert.evidence.get(name, math.inf) > bound for name, bound in crit.at_most.items()):
            continue
        held += [f"{name} {alert.evidence[name]:g} >= {bound:g}" for name, bound in crit.at_least.items()]
        held += [f"{name} {alert.evidence[name]:g} <= {bound:g}" for name, bound in crit.at_most.items()]
        return crit.level, f"level {crit.level}: {', '.join(held)} ({crit.source})", False
    default = cfg.default_level[alert.incident]
    return default, f"level {default}: default for {alert.incident} (no criterion of escalation.toml holds)", False


def check_alert(alert: Alert, cfg: ResponseConfig) -> None:
    """ValueError naming the field of `alert` that AlertSchema or the response data do not allow."""
    alert.check()
    if alert.incident not in cfg.incidents:
        raise ValueError(f"alert: field 'incident' '{alert.incident}' is not an incident type "
                         f"({', '.join(cfg.incidents)})")
    if alert.region:
        if alert.region not in cfg.regions:
            raise ValueError(f"alert: field 'region' '{alert.region}' is not a region of interest.toml "
                             f"({', '.join(cfg.regions)}) or '' (elsewhere)")
        if not any(r.incident == alert.incident and alert.region in r.interest for r in cfg.rules):
            raise ValueError(f"alert: field 'region' is not used for incident '{alert.incident}' "
                             f"(no rule of rules.toml routes it by region); leave it empty")
    if alert.level and alert.level not in cfg.levels:
        raise ValueError(f"alert: field 'level' '{alert.level}' is not a level ({', '.join(cfg.levels)})")
    declared = cfg.evidence[alert.incident]
    for name, value in alert.evidence.items():
        if name not in declared:
            raise ValueError(f"alert: field 'evidence.{name}' is not evidence of incident '{alert.incident}' "
                             f"(known: {', '.join(declared) or 'none'})")
        spec = declared[name]
        if not spec.low <= value <= spec.high:
            raise ValueError(f"alert: field 'evidence.{name}' must be in [{spec.low:g}, {spec.high:g}] "
                             f"({spec.description}), not {value!r}")


def route(alert: Alert, config: ResponseConfig | None = None) -> Routing:
    """Route an alert by the first matching rule; ValueError names a bad alert field."""
    cfg = config or load_config()
    check_alert(alert, cfg)
    now = alert.now or datetime.now(UTC)
    incident = cfg.incidents[alert.incident]
    explanation = [f"incident {incident.id} ({incident.name_en}): named in "
                   + "; ".join(str(c) for c in incident.cite),
                   f"space {incident.domain}: " + "; ".join(str(c) for c in cfg.domains[incident.domain][:1])]

    interests = tuple(object_interest(obj, cfg) for obj in alert.objects)
    explanation += [i.reason for i in interests]
    present = {i.category for i in interests if i.category}
    if alert.region:
        present.add(alert.region)
        explanation.append(f"region {alert.region}: {cfg.regions[alert.region]}")

    level, level_reason, past = escalation_level(alert, now, cfg)
    explanation.append(level_reason)

    rule, via = _first_rule(cfg.rules, alert.incident, level, frozenset(present))
    explanation.append(f"rule {rule.id} fired: first rule in rules.toml for {alert.incident} at level "
                       f"{level} with interest {via if via != '*' else 'any (' + (', '.join(sorted(present)) or 'none') + ')'}")
    explanation.append(f"basis {rule.basis}: {rule.why}")

    operators = tuple(dict.fromkeys(i.operator for i in interests if i.category and i.operator))
    paged = cfg.levels[level].page and rule.page and not past
    parties = [p for p in rule.parties() if p != OPERATOR or operators]
    if OPERATOR in parties:
        parties.remove(OPERATOR)
        parties.insert(0, OPERATOR)
    if OPERATOR in rule.parties() and not operators:
        explanation.append("no object of Dutch interest: no operator to notify")
    if not paged:
        why_not = ("the event is past" if past else f"level {level} pages nobody" if not cfg.levels[level].page
                   else f"rule {rule.id} pages nobody")
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
