"""Catalogued objects, with the newest element set of each source."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from ssa.serve import schemas
from ssa.serve.api.deps import Limit, Scope, SessionDep, StoreDep
from ssa.serve.api.problems import PROBLEM_RESPONSES, responses
from ssa.serve.auth import ProblemException
from ssa.serve.models import SpaceObject
from ssa.serve.store import Store

router = APIRouter(tags=["objects"])


def with_element_sets(store: Store, objects: list[SpaceObject]) -> list[schemas.ObjectOut]:
    """Each object with the newest element set of each source (Store.element_set_sources)."""
    sets = store.element_set_sources([o.norad_id for o in objects])
    out = [schemas.ObjectOut.model_validate(o) for o in objects]
    for obj in out:
        obj.element_sets = [schemas.ElsetSource.model_validate(e) for e in sets.get(obj.NORAD_CAT_ID, [])]
    return out


@router.get("/v1/objects", response_model=schemas.ObjectPage, responses=PROBLEM_RESPONSES)
def list_objects(scope: Scope, session: SessionDep, store: StoreDep,
                 cursor: Annotated[int | None, Query(ge=0, le=2**62, description="next_cursor")] = None,
                 limit: Limit = 100):
    """Catalogued objects in NORAD id order (operator keys: their own), a page at a time."""
    query = select(SpaceObject).order_by(SpaceObject.norad_id)
    condition = scope.objects()
    if condition is not None:
        query = query.where(condition)
    if cursor is not None:
        query = query.where(SpaceObject.norad_id > cursor)
    objs = session.scalars(query.limit(limit + 1)).all()
    session.close()
    more = len(objs) > limit
    objs = objs[:limit]
    return schemas.ObjectPage(items=with_element_sets(store, objs), next_cursor=str(objs[-1].norad_id) if more else None)


@router.get("/v1/objects/{norad_cat_id}", response_model=schemas.ObjectOut,
            responses=responses({404: "not catalogued"}))
def get_object(scope: Scope, session: SessionDep, store: StoreDep,
               norad_cat_id: Annotated[int, Path(ge=0, le=999_999_999)]):
    """One catalogued object (operator keys: one of their own)."""
    scope.check_object(norad_cat_id)
    obj = session.get(SpaceObject, norad_cat_id)
    session.close()
    if obj is None:
        raise ProblemException(404, "Not found", f"no object {norad_cat_id}", field="norad_cat_id")
    return with_element_sets(store, [obj])[0]
