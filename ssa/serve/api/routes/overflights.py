"""Passes of watching satellites over the configured sensitive sites (issue 15), computed by
the worker on each catalogue version. A site's passes reveal the site: only keys of the
parties its sites file names as readers may read them; any other key gets the 404 of a
site that does not exist."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from ssa.serve import schemas
from ssa.serve.api.deps import NO_NUL, CurrentKey, SessionDep, SettingsDep
from ssa.serve.api.problems import responses
from ssa.serve.auth import ProblemException
from ssa.serve.models import OverflightPass

router = APIRouter(tags=["overflights"])


@router.get("/v1/overflights", response_model=schemas.OverflightPage,
            responses=responses({404: "no such site readable by this key"}))
def list_overflights(who: CurrentKey, session: SessionDep, settings: SettingsDep,
                     site: Annotated[str, Query(min_length=1, max_length=200, pattern=NO_NUL,
                                                description="a site's name in the configured sites file")]):
    """The passes over `site` computed on the newest catalogue version, by culmination (UTC),
    for keys whose party the sites file names among the site's readers."""
    from ssa.serve.pipeline import configured_sites

    readable = {s.name for s in configured_sites(settings) if who.party and who.party in s.readers}
    if site not in readable:
        raise ProblemException(404, "Not found", f"no site {site!r} readable by this key", field="site")
    rows = session.scalars(select(OverflightPass).where(OverflightPass.site == site)
                           .order_by(OverflightPass.culmination, OverflightPass.id)).all()
    return schemas.OverflightPage(site=site, catalog_version_id=rows[0].catalog_version_id if rows else None,
                                  items=[row.record for row in rows])
