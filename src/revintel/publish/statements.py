"""A small client for Databricks' SQL Statement Execution API and Files API (httpx, time-boxed)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from revintel.errors import ProviderError

TERMINAL = {"SUCCEEDED", "FAILED", "CANCELED", "CLOSED"}


class Workspace:
    """One Databricks workspace: run SQL on a SQL warehouse, put files in a Unity Catalog volume."""

    def __init__(self, host: str, token: str, warehouse_id: str, timeout: float = 120.0):
        self.host = host.rstrip("/")
        self.warehouse_id = warehouse_id
        self.timeout = timeout
        self.client = httpx.Client(
            base_url=self.host, timeout=30.0, headers={"Authorization": f"Bearer {token}"}
        )

    def close(self) -> None:
        self.client.close()

    def _check(self, r: httpx.Response, what: str) -> dict[str, Any]:
        if r.status_code in (401, 403):
            raise ProviderError(
                f"Databricks refused the token ({what})", hint="check DATABRICKS_TOKEN and its grants"
            )
        if r.status_code >= 300:
            try:
                message = r.json().get("message", r.text[:200])
            except ValueError:
                message = r.text[:200]
            raise ProviderError(f"Databricks {what} failed: HTTP {r.status_code}: {message}")
        return r.json() if r.content else {}

    def execute(self, statement: str) -> dict[str, Any]:
        """Run one statement to completion (polling past the wait), or raise with Databricks' message."""
        body = {
            "statement": statement,
            "warehouse_id": self.warehouse_id,
            "wait_timeout": "30s",
            "on_wait_timeout": "CONTINUE",
            "disposition": "INLINE",
            "format": "JSON_ARRAY",
        }
        try:
            out = self._check(self.client.post("/api/2.0/sql/statements/", json=body), "statement")
            deadline = time.monotonic() + self.timeout
            while out.get("status", {}).get("state") not in TERMINAL:
                if time.monotonic() > deadline:
                    self.client.post(f"/api/2.0/sql/statements/{out['statement_id']}/cancel")
                    raise ProviderError(
                        "a Databricks statement did not finish in time", details={"sql": statement[:200]}
                    )
                time.sleep(0.5)
                out = self._check(
                    self.client.get(f"/api/2.0/sql/statements/{out['statement_id']}"), "statement"
                )
        except httpx.HTTPError as exc:
            raise ProviderError("Databricks could not be reached", hint="check DATABRICKS_HOST") from exc
        state = out["status"]["state"]
        if state != "SUCCEEDED":
            error = out["status"].get("error", {}).get("message", state)
            raise ProviderError(f"Databricks refused a statement: {error}", details={"sql": statement[:300]})
        return out

    def put_file(self, path: str, data: bytes) -> None:
        """Upload ``data`` to a volume path (``/Volumes/catalog/schema/volume/file``), overwriting."""
        try:
            r = self.client.put(
                f"/api/2.0/fs/files{path}",
                params={"overwrite": "true"},
                content=data,
                headers={"Content-Type": "application/octet-stream"},
            )
        except httpx.HTTPError as exc:
            raise ProviderError("Databricks could not be reached", hint="check DATABRICKS_HOST") from exc
        self._check(r, f"upload of {path.rsplit('/', 1)[-1]}")
