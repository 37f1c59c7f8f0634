"""Element set uploads and the screening jobs they start."""
from __future__ import annotations

import csv
from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from ssa.serve import pipeline, schemas
from ssa.serve.api.deps import Limit, RowId, Scope, SessionDep, SettingsDep, StoreDep, UploaderKey, upload_source
from ssa.serve.api.problems import PROBLEM_RESPONSES, not_found, responses
from ssa.serve.auth import ProblemException
from ssa.serve.enums import Role
from ssa.serve.models import Job
from ssa.serve.store import PUBLIC

router = APIRouter(tags=["catalog"])


@router.post("/v1/catalog", response_model=schemas.IngestOut, status_code=201,
             responses={200: {"model": schemas.IngestOut, "description": "nothing new: every element set was known"},
                        **PROBLEM_RESPONSES})
async def upload_catalog(who: UploaderKey, store: StoreDep, settings: SettingsDep, response: Response,
                         file: Annotated[UploadFile, File(description="2LE/3LE text, OMM CSV/JSON/XML")]):
    """Upload element sets (operator keys: of their own objects, kept as theirs beside the
    public ones); 201 and a screening job when any is new, 200 when every one was known.
    Rejected records are counted and the first of them listed, each with its line."""
    raw = await file.read()  # at most settings.max_upload_bytes: BodyGuard
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProblemException(422, "Invalid upload", f"not UTF-8 text: {exc}", field="file") from None
    source = f"{upload_source(who)}{file.filename or 'upload'}".replace("\x00", "")[:300]
    admin = who.role == Role.ADMIN
    try:  # parsed in a worker thread: the event loop keeps answering
        result = await run_in_threadpool(pipeline.ingest_text, store, content, source,
                                         None if admin else who.objects,
                                         PUBLIC if admin else f"operator:{who.party or who.key_id}")
    except (ValueError, RecursionError, csv.Error) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:500]
        raise ProblemException(422, "Invalid upload", f"the upload could not be read: {reason}", field="file") from None
    rejected = [schemas.Rejected.model_validate(r) for r in result.rejections[:settings.max_rejections_listed]]
    if result.n_records == 0:
        raise ProblemException(422, "No valid element sets", "the upload holds no element set that could be read",
                               field="file", extra={"n_rejected": len(result.rejections),
                                                    "rejected": [r.model_dump() for r in rejected]})
    created = result.catalog_version_id is not None
    response.status_code = 201 if created else 200
    return schemas.IngestOut(created=created, catalog_version_id=result.catalog_version_id, job_id=result.job_id,
                             n_records=result.n_records, n_new=result.n_new, n_known=result.n_known,
                             n_rejected=len(result.rejections), rejected=rejected)


@router.get("/v1/jobs", response_model=list[schemas.JobOut], responses=PROBLEM_RESPONSES)
def list_jobs(scope: Scope, session: SessionDep, limit: Limit = 50):
    """The newest screening jobs first (operator keys: those of their own uploads)."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    condition = scope.jobs()
    return session.scalars(query if condition is None else query.where(condition)).all()


@router.get("/v1/jobs/{job_id}", response_model=schemas.JobOut, responses=responses({404: "no such job"}))
def get_job(scope: Scope, session: SessionDep, job_id: RowId):
    """One screening job: status, progress, window, counts, objects not screened, operator set checks."""
    job = session.get(Job, job_id)
    if job is None:
        raise not_found("job", job_id, "job_id")
    if not scope.holds(session, Job, job_id, scope.jobs()):
        raise ProblemException(403, "Forbidden", f"job {job_id} is not one of this key's uploads", field="job_id")
    return job
