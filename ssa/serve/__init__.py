"""HTTP alert service: store, screening jobs, API (see ssa.serve.app.create_app)."""
from ssa.serve.settings import Settings

__all__ = ["Settings"]
