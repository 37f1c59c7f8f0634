"""Respond: route alerts to the parties of the Dutch response mechanism for
space incidents (letters in shared/letters, digest shared/RESPONSE-MECHANISM.md).

All parties, incident types, levels, interest sources and rules are data in
``ssa/respond/data/`` (asset registry ``dutch_assets.csv`` and the docked vehicles and
formations of ``flies_together.csv`` included); an operator overrides
them with files in SSA_RESPONSE_DIR.
"""
from ssa.respond.alert import Alert, AlertObject
from ssa.respond.config import ConfigError, ResponseConfig, load_config
from ssa.respond.route import ObjectInterest, Routing, object_interest, route

__all__ = [
    "Alert", "AlertObject", "ConfigError", "ObjectInterest", "ResponseConfig", "Routing",
    "load_config", "object_interest", "route",
]
