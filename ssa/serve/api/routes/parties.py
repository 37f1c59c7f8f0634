"""Parties of the Dutch response mechanism, and (admin) the webhooks that receive each
alert routed to a party, signed (ssa.serve.delivery)."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ssa.serve import delivery, schemas
from ssa.serve.api.deps import AdminKey, CurrentKey, Limit, RowId, SessionDep, SettingsDep, StoreDep
from ssa.serve.api.problems import PROBLEM_RESPONSES, not_found, responses
from ssa.serve.auth import ProblemException
from ssa.serve.models import Delivery, Party, Subscription
from ssa.serve.store import utcnow

router = APIRouter(tags=["parties"])
subscriptions = APIRouter(tags=["subscriptions"])


@router.get("/v1/parties", response_model=list[schemas.PartyOut], responses=PROBLEM_RESPONSES)
def list_parties(who: CurrentKey, session: SessionDep):
    """The parties alerts are routed to (ssa.respond's response configuration)."""
    return session.scalars(select(Party).order_by(Party.code)).all()


@subscriptions.post("/v1/subscriptions", response_model=schemas.SubscriptionCreated, status_code=201,
                    responses=PROBLEM_RESPONSES)
def create_subscription(who: AdminKey, session: SessionDep, store: StoreDep, settings: SettingsDep,
                        body: schemas.SubscriptionIn):
    """Subscribe a party's webhook to the alerts routed to it from now on; the answer holds
    the signing secret, shown only now."""
    try:
        url = delivery.check_url(body.url, settings.delivery_refuse_private_targets)
    except ValueError as exc:
        raise ProblemException(422, "Invalid subscription", str(exc), field="url") from None
    if session.get(Party, body.party) is None and not body.party.startswith("tenant "):
        raise ProblemException(422, "Invalid subscription", f"no party {body.party!r} (GET /v1/parties; an "
                               "operator's alerts go to 'tenant <name>')", field="party")
    session.close()  # subscribe writes in a transaction of its own
    return delivery.subscribe(store, body.party, url)


@subscriptions.get("/v1/subscriptions", response_model=list[schemas.SubscriptionOut], responses=PROBLEM_RESPONSES)
def list_subscriptions(who: AdminKey, session: SessionDep):
    """Every subscription, revoked ones included."""
    return session.scalars(select(Subscription).order_by(Subscription.id)).all()


@subscriptions.delete("/v1/subscriptions/{subscription_id}", response_model=schemas.SubscriptionOut,
                      responses=responses({404: "no such subscription"}))
def revoke_subscription(who: AdminKey, session: SessionDep, subscription_id: RowId):
    """Stop new deliveries; pending ones are not sent; the log stays."""
    with session.begin():
        sub = session.get(Subscription, subscription_id)
        if sub is None:
            raise not_found("subscription", subscription_id, "subscription_id")
        sub.revoked_at = sub.revoked_at or utcnow()
        return schemas.SubscriptionOut.model_validate(sub)


@subscriptions.get("/v1/subscriptions/{subscription_id}/deliveries", response_model=list[schemas.DeliveryOut],
                   responses=responses({404: "no such subscription"}))
def list_deliveries(who: AdminKey, session: SessionDep, subscription_id: RowId,
                    status: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
                    limit: Limit = 100):
    """Each delivery with every attempt: time, duration, HTTP status or error."""
    if session.get(Subscription, subscription_id) is None:
        raise not_found("subscription", subscription_id, "subscription_id")
    query = select(Delivery).options(selectinload(Delivery.attempt_log)).where(
        Delivery.subscription_id == subscription_id)
    if status is not None:
        query = query.where(Delivery.status == status)
    return session.scalars(query.order_by(Delivery.id).limit(limit)).all()
