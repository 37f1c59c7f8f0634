"""API keys (only each secret's SHA-256 is stored) and the parties they answer for."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ssa.serve.enums import Role
from ssa.serve.models import ApiKey, Party
from ssa.serve.store.changes import utcnow


class KeyStore:
    """API keys and parties (a part of Store)."""

    session: sessionmaker[Session]

    def create_key(self, role: Role | str, party: str | None = None, objects=(), label: str = "") -> str:
        """Make an API key and return it; only its SHA-256 is stored."""
        if role not in tuple(Role):
            raise ValueError(f"role must be one of {', '.join(Role)}, not {role!r}")
        if role == Role.AGENCY and not party:
            raise ValueError("an agency key needs --party")
        if role == Role.OPERATOR and not objects:
            raise ValueError("an operator key needs --objects (NORAD ids)")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(24)
        with self.session.begin() as s:
            s.add(ApiKey(key_id=key_id, secret_sha256=hashlib.sha256(secret.encode()).hexdigest(), role=Role(role),
                         party=party, objects=sorted(int(n) for n in objects), label=label, created_at=utcnow()))
            if party and s.get(Party, party) is None:
                s.add(Party(code=party, name=party, description=""))
        return f"ssa_{key_id}_{secret}"

    def list_keys(self) -> list[ApiKey]:
        with self.session() as s:
            return list(s.scalars(select(ApiKey).order_by(ApiKey.id)))

    def object_tenants(self) -> dict[int, str]:
        """NORAD id -> tenant (party, else label, else key id) of the live operator key that holds
        the object; the oldest key wins where several do. ssa.respond maps tenants to interest."""
        out: dict[int, str] = {}
        for key in self.list_keys():
            if key.role == Role.OPERATOR and key.revoked_at is None:
                for norad in key.objects:
                    out.setdefault(int(norad), key.party or key.label or key.key_id)
        return out

    def revoke_key(self, key_id: str) -> bool:
        """Revoke a key by its id (the part after 'ssa_'); False when no live key has it.
        A running server may accept it for up to 10 s more (its key cache)."""
        with self.session.begin() as s:
            return s.execute(update(ApiKey).where(ApiKey.key_id == key_id, ApiKey.revoked_at.is_(None))
                             .values(revoked_at=utcnow())).rowcount == 1

    def lookup_key(self, key: str) -> ApiKey | None:
        """The live key matching this secret, else None (constant-time compare)."""
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != "ssa":
            return None
        with self.session() as s:
            row = s.scalar(select(ApiKey).where(ApiKey.key_id == parts[1], ApiKey.revoked_at.is_(None)))
        if row is None:
            return None
        digest = hashlib.sha256(parts[2].encode()).hexdigest()
        return row if secrets.compare_digest(digest, row.secret_sha256) else None

    def upsert_parties(self, parties: list[dict]) -> None:
        """Add or rename the parties of the response mechanism (code, name, description)."""
        with self.session.begin() as s:
            for p in parties:
                row = s.get(Party, p["code"])
                if row is None:
                    s.add(Party(code=p["code"], name=p.get("name", p["code"]), description=p.get("description", "")))
                else:
                    row.name, row.description = p.get("name", row.name), p.get("description", row.description)
