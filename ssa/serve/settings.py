"""Service settings: environment variables with the ``SSA_`` prefix, and an
optional TOML file named by ``SSA_SETTINGS_FILE`` (environment wins)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SSA_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="SQLite file and watched folder live here")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default sqlite:///<data_dir>/ssa.sqlite3")
    watch_dir: Path | None = Field(None, description="catalogue files dropped here are ingested; default <data_dir>/incoming")
    watch_interval_s: float = 30.0
    embedded_worker: bool = Field(True, description="run the job worker as a thread inside `ssa serve`")
    auto_migrate: bool = Field(True, description="`ssa serve` and `ssa worker` bring the database schema to the newest "
                                                 "revision at start; false: they refuse to start when it is behind "
                                                 "(run `ssa migrate`)")
    host: str = "127.0.0.1"
    port: int = 8000

    # screening job parameters
    window_start: Literal["now", "catalog"] = Field(
        "now", description="'now': screen from the wall clock; 'catalog': from the newest epoch in the catalogue (replays)")
    window_days: float = 7.0
    threshold_km: float = 5.0
    event_match_fraction: float = Field(
        0.25, description="a new result continues an open event of the same pair when their TCAs differ by at most this fraction of the shorter orbital period")

    # jobs
    job_lease_s: float = Field(60.0, description="a running job whose worker has not heartbeaten for this long is re-claimed")
    worker_poll_s: float = 1.0

    # ---- bounded work (issue 11, items 2, 4, 5: store, jobs, worker) ----
    max_elset_age_days: float = Field(
        30.0, gt=0, description="element sets whose epoch lies further than this (days) before the screening window "
                                "starts or after it ends are not screened; the job lists them as stopped")
    job_timeout_s: float = Field(3600.0, gt=0, description="a job still screening after this long is failed")
    job_max_attempts: int = Field(
        3, ge=1, description="a job whose worker's lease ran out this many times (killed or stuck) is failed")

    # ---- detectors after each screening (issues 14 and 15: ssa.pipeline.detection) ----
    detect_reentry_horizon_days: float = Field(
        30.0, ge=0, description="re-entry watch: objects predicted to re-enter within this many days; 0: off")
    detect_manoeuvres: bool = Field(True, description="manoeuvre detection on the element-set histories of the "
                                                      "objects with new sets")
    detect_fragmentation: bool = Field(True, description="fragmentation detection between the previous public "
                                                         "catalogue version and this one")
    detect_proximity: bool = Field(True, description="proximity operations near the asset registry's objects "
                                                     "(ssa.respond) over the screening window")
    detect_history_days: float = Field(
        60.0, gt=0, description="element sets this many days before the screening window starts, or newer, form "
                                "the history the re-entry fit and the manoeuvre detector read")

    overflight_sites_file: Path | None = Field(
        None, description="sites TOML (ssa.detect.overflight.load_sites): the passes over each site are computed "
                          "on each catalogue version over the screening window and served at /v1/overflights to "
                          "the parties the file names as the site's readers; unset: none")
    overflight_watchers_file: Path | None = Field(
        None, description="watchers TOML (ssa.detect.overflight.load_watchers); unset: the shipped default")

    # access
    rate_limit_per_minute: int = Field(600, description="requests per API key per minute (token bucket, burst = one minute)")

    # ---- HTTP API limits and exposure (issue 11, items 6-8 and 13) ----
    max_upload_bytes: int = Field(64 * 1024 * 1024, ge=1024,
                                  description="largest request body, bytes (the full public catalogue is about 7 MB)")
    max_rejections_listed: int = Field(100, ge=0, description="rejected records listed in an upload's answer (all are counted)")
    failed_keys_per_minute: int = Field(30, ge=1, description="failed API key attempts per client address per minute")
    metrics: Literal["off", "admin", "public"] = Field(
        "admin", description="/metrics: 'off' (404), 'admin' (admin key), 'public' (no key; bind to a private address)")

    # ---- webhook delivery of alerts (issue 13, close the loop) ----
    delivery_max_attempts: int = Field(8, ge=1, description="POSTs of one alert before its delivery is dead-lettered")
    delivery_backoff_s: float = Field(
        30.0, gt=0, description="wait before the first retry, s; doubles after each failed attempt")
    delivery_timeout_s: float = Field(10.0, gt=0, description="a receiver that has not answered in this long has failed, s")
    delivery_poll_s: float = Field(1.0, gt=0, description="how often the delivery loop looks for due deliveries, s")
    delivery_refuse_private_targets: bool = Field(
        False, description="refuse webhook URLs whose host resolves to a private, link-local or reserved address other "
                           "than loopback (SSRF: set when admins should not reach the service's internal network)")

    # ---- screening on a Dask cluster (issue 17) ----
    dask_scheduler: str | None = Field(
        None, description="tcp://HOST:8786: screening jobs run their time slabs on this Dask scheduler's workers "
                          "(the same rows as a local screen); unset: in the worker's own process")

    @model_validator(mode="after")
    def check_ranges(self) -> Settings:
        """Refuse, at start, settings with which every job or request would fail."""
        positive = ("window_days", "threshold_km", "event_match_fraction", "job_lease_s", "worker_poll_s",
                    "watch_interval_s", "rate_limit_per_minute")
        bad = [f"{name} must be finite and > 0, not {getattr(self, name)!r}" for name in positive
               if not getattr(self, name) > 0 or getattr(self, name) == float("inf")]
        if self.event_match_fraction > 1:
            bad.append(f"event_match_fraction must be at most 1, not {self.event_match_fraction!r}")
        if not 0 <= self.port <= 65535:
            bad.append(f"port must be 0..65535, not {self.port}")
        if bad:
            raise ValueError("; ".join(bad))
        return self

    @classmethod
    def settings_customise_sources(
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
        settings_file = os.environ.get("SSA_SETTINGS_FILE")
        if settings_file:
            sources += (TomlConfigSettingsSource(settings_cls, toml_file=Path(settings_file)),)
        return sources

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ssa.sqlite3').resolve()}"

    def resolved_watch_dir(self) -> Path:
        return self.watch_dir if self.watch_dir is not None else self.data_dir / "incoming"
