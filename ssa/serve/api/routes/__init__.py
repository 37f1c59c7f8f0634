"""One APIRouter per resource; ``ROUTERS`` in the order the OpenAPI document lists them
(the service's own routes, /healthz and /metrics, come first: routes.service.add_routes)."""
from ssa.serve.api.routes import (
                                  alerts,
                                  catalog,
                                  conjunctions,
                                  findings,
                                  incidents,
                                  objects,
                                  overflights,
                                  parties,
                                  service,
)

ROUTERS = (conjunctions.router, alerts.router, findings.router, overflights.router, incidents.router,
           parties.subscriptions, catalog.router, objects.router, parties.router)
__all__ = ["ROUTERS", "service"]
