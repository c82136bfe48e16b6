"""Settings: one typed object, read from the environment (``REVINTEL_*``) and built by the caller.

Nothing reads the environment at import time. The CLI and the app factory call
:func:`load_settings` once and pass the object down.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from revintel.errors import ConfigError

DEMO_SECRET = "revintel-demo-secret-not-for-production"  # noqa: S105 - refused outside demo mode


class Settings(BaseSettings):
    """Every setting revintel reads. Each is an environment variable ``REVINTEL_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="REVINTEL_", extra="ignore", populate_by_name=True)

    # --- where things live -------------------------------------------------------------------
    home: Path = Field(
        Path(".revintel"), description="Folder for local state: warehouse, app database, models."
    )
    warehouse: str | None = Field(
        None,
        description="Warehouse URL: duckdb:///path.duckdb (default: warehouse.duckdb in the home) "
        "or pyspark://local[2] (Parquet tables under the home).",
    )
    app_db: str | None = Field(
        None, description="SQLAlchemy URL of the app database (default: SQLite app.db in the home)."
    )
    as_of: dt.date | None = Field(
        None,
        description="Treat this date as today (YYYY-MM-DD). Default: the loaded dataset's as-of date, "
        "else today.",
    )
    fiscal_year_start_month: int = Field(1, ge=1, le=12, description="Month the fiscal year starts (1-12).")
    metrics_file: Path | None = Field(
        None, description="A YAML file of extra metric definitions, merged over the built-in catalogue."
    )
    personas_file: Path | None = Field(
        None,
        description="A YAML list of personas (id, name, role, title, scope) replacing the demo personas.",
    )
    stage_mapping_file: Path | None = Field(
        None, description="A YAML file mapping source stage names to canonical stages for ingest."
    )
    health_weights: str = Field(
        "usage=0.35,support=0.25,engagement=0.20,commercial=0.20",
        description="Weights of the customer health score's components (usage, support, engagement, "
        "commercial), comma-separated name=weight; rescaled to add up to 1.",
    )
    trackers_file: Path | None = Field(
        None,
        description="A YAML file of extra conversation trackers (competitors, objection phrases, risks, "
        "smart trackers), merged over the built-in ones.",
    )

    # --- serving -----------------------------------------------------------------------------
    host: str = Field(
        "127.0.0.1",
        validation_alias=AliasChoices("REVINTEL_HOST", "HOST"),
        description="Address to serve on.",
    )
    port: int = Field(
        8000, validation_alias=AliasChoices("REVINTEL_PORT", "PORT"), description="Port to serve on."
    )
    auth: Literal["demo", "secure"] = Field(
        "demo", description="demo: one-click persona sign-in; secure: local accounts with passwords."
    )
    secret_key: SecretStr = Field(
        SecretStr(DEMO_SECRET), description="Secret that signs session cookies. Required in secure mode."
    )
    public_url: str | None = Field(None, description="Base URL used in links sent by email, Slack and Teams.")
    rate_limit_per_minute: int = Field(240, description="API requests allowed per user per minute.")
    ask_rate_limit_per_minute: int = Field(30, description="Ask questions allowed per user per minute.")
    lockout_attempts: int = Field(5, description="Failed sign-ins before an account is locked.")
    lockout_minutes: int = Field(15, description="How long a locked account stays locked.")
    signin_limit_per_account: int = Field(
        10,
        description="Failed sign-ins allowed per user name within the sign-in window, across workers "
        "(then 429); 0 turns it off.",
    )
    signin_limit_per_address: int = Field(
        20,
        description="Failed sign-ins allowed per client address within the sign-in window, across "
        "workers and user names (then 429); 0 turns it off.",
    )
    upload_ttl_minutes: int = Field(
        120,
        ge=1,
        description="Staged uploads (admin data upload) not loaded within this many minutes are deleted.",
    )
    upload_quota_mb: int = Field(
        2048,
        ge=1,
        description="Total size of all staged uploads; a new upload beyond it is refused until "
        "staged ones are loaded or expire. One upload is at most 512 MB.",
    )
    signin_window_minutes: int = Field(
        15, ge=1, description="The window (minutes) over which failed sign-ins are counted."
    )
    query_timeout_seconds: float = Field(30.0, description="Timeout for governed SQL queries.")
    sql_row_limit: int = Field(10_000, description="Maximum rows returned by governed SQL.")
    scheduler_enabled: bool = Field(True, description="Run the brief scheduler inside `revintel serve`.")
    forecast_calibrate: bool = Field(
        True,
        description="Before a scope's first forecast of each data load, replay the last 8 quarters to "
        "calibrate its P10-P90 (a training run per load, which a server does in the background after "
        "each load). false: forecasts show the model's own ranges until a backtest runs.",
    )

    # --- optional providers ------------------------------------------------------------------
    llm_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible endpoint.")
    llm_model: str | None = Field(None, description="Model name for the OpenAI-compatible endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="API key for the OpenAI-compatible endpoint.")
    llm_timeout_seconds: float = Field(20.0, description="Time box for one LLM call.")
    llm_send_rows: bool = Field(True, description="If false, result rows are never sent to the LLM.")
    databricks_host: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABRICKS_HOST", "REVINTEL_DATABRICKS_HOST"),
        description="Databricks workspace URL for Genie.",
    )
    databricks_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("DATABRICKS_TOKEN", "REVINTEL_DATABRICKS_TOKEN"),
        description="Databricks token for Genie.",
    )
    genie_space_id: str | None = Field(
        None,
        validation_alias=AliasChoices("GENIE_SPACE_ID", "REVINTEL_GENIE_SPACE_ID"),
        description="Genie space to ask.",
    )
    databricks_warehouse_id: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABRICKS_WAREHOUSE_ID", "REVINTEL_DATABRICKS_WAREHOUSE_ID"),
        description="SQL warehouse that `revintel publish databricks` runs its statements on.",
    )
    genie_timeout_seconds: float = Field(60.0, description="Time box for one Genie answer.")

    # --- delivery ----------------------------------------------------------------------------
    smtp_host: str | None = Field(None, description="SMTP server for emailed briefs.")
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_user: str | None = Field(None, description="SMTP user name.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_from: str = Field("revintel@localhost", description="Sender address of emailed briefs.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_timeout_seconds: float = Field(15.0, description="Time box for one SMTP delivery.")
    oidc_issuer: str | None = Field(
        None, description="OpenID Connect issuer URL for single sign-on (secure mode); unset: no SSO."
    )
    oidc_client_id: str | None = Field(None, description="OIDC client id registered for revintel.")
    oidc_client_secret: SecretStr | None = Field(None, description="OIDC client secret.")
    oidc_scopes: str = Field("openid email profile groups", description="Scopes requested at sign-in.")
    oidc_groups_claim: str = Field("groups", description="ID-token claim that lists the user's groups.")
    oidc_group_map: Path | None = Field(
        None,
        description="YAML mapping identity-provider groups to a role and row scope (first match wins); "
        "users in no mapped group are refused.",
    )
    oidc_redirect_url: str | None = Field(
        None, description="Callback URL registered at the provider (default: <base>/auth/oidc/callback)."
    )
    snapshot_retention: int = Field(
        3,
        ge=0,
        le=1000,
        description="Keep the warehouse after each of the last N loads as a snapshot (0: none).",
    )
    log_level: str = Field("INFO", description="Log level of `revintel serve` (DEBUG, INFO, WARNING, ERROR).")
    log_format: Literal["json", "text"] = Field(
        "json", description="Server logs: one JSON object per line (request id, user, route) or plain text."
    )
    otlp_endpoint: str | None = Field(
        None,
        description="OTLP/HTTP endpoint for OpenTelemetry traces (e.g. http://collector:4318/v1/traces).",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token Prometheus must send to scrape /metrics (unset: loopback clients only).",
    )
    slack_webhook_url: SecretStr | None = Field(None, description="Slack incoming webhook URL.")
    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (chat.postMessage).")
    slack_signing_secret: SecretStr | None = Field(
        None, description="Slack app signing secret: verifies slash commands and events (Ask from Slack)."
    )
    teams_app_id: str | None = Field(None, description="Microsoft Teams bot's app id (Ask from Teams).")
    teams_app_password: SecretStr | None = Field(None, description="Microsoft Teams bot's client secret.")
    teams_openid_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="Bot Framework OpenID metadata: the keys that sign Teams requests.",
    )
    teams_token_url: str = Field(
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
        description="Token endpoint the bot uses to reply (client credentials).",
    )
    chat_user_map: Path | None = Field(
        None,
        description="YAML mapping chat users to revintel users: {slack: {U024BE7LH: elena}}; "
        "unmapped chat users are refused.",
    )
    slack_api_url: str = Field("https://slack.com/api", description="Slack Web API base URL.")
    slack_channel: str | None = Field(None, description="Slack channel for the bot token.")
    teams_webhook_url: SecretStr | None = Field(None, description="Microsoft Teams incoming webhook URL.")
    delivery_retries: int = Field(3, description="Attempts per delivery before it is logged as failed.")
    delivery_backoff_seconds: float = Field(2.0, description="First retry delay; doubles each attempt.")

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @cached_property
    def warehouse_url(self) -> str:
        return self.warehouse or f"duckdb:///{self.home / 'warehouse.duckdb'}"

    @cached_property
    def app_db_url(self) -> str:
        return self.app_db or f"sqlite:///{self.home / 'app.db'}"

    @property
    def demo_mode(self) -> bool:
        return self.auth == "demo"

    @property
    def signing_key(self) -> str:
        """The secret key's text (sessions, CSRF tokens, OIDC state and the audit chain's HMAC)."""
        return reveal(self.secret_key) or ""

    def check_safe(self) -> None:
        """Refuse unsafe defaults outside demo mode."""
        key = self.signing_key
        weak = len(set(key)) < 8 or len(key.strip()) < 16  # e.g. 16 spaces, or "aaaaaaaaaaaaaaaa"
        if self.auth == "secure" and (key == DEMO_SECRET or len(key) < 16 or weak):
            raise ConfigError(
                "secure mode refuses to start with the default or a short secret key (or a low-entropy one)",
                hint="set REVINTEL_SECRET_KEY to a random string of at least 16 characters",
            )

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home


def reveal(value: SecretStr | str | None) -> str | None:
    """The plain text of a secret setting (settings hold secrets as ``SecretStr``, which never prints)."""
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; keyword overrides win."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise ConfigError(f"invalid setting: {exc}") from exc


SECRET_FIELDS = frozenset(
    {
        "secret_key",
        "llm_api_key",
        "databricks_token",
        "smtp_password",
        "slack_bot_token",
        "metrics_token",
        "slack_signing_secret",
        "teams_app_password",
        "oidc_client_secret",
        # an incoming-webhook URL is itself the credential: whoever holds it can post
        "slack_webhook_url",
        "teams_webhook_url",
    }
)


def mask_url(url: str) -> str:
    """``url`` with any password (``scheme://user:pass@host``) and secret query values replaced by ``***``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    netloc = parts.netloc
    if "@" in netloc:
        creds, host = netloc.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in creds else f"{user}@{host}"
    query = parts.query
    if query:
        secret_words = ("password", "pass", "pwd", "token", "secret", "key", "sig", "signature")
        pairs = [
            (k, "***" if any(w in k.lower() for w in secret_words) else v)
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        query = urlencode(pairs, safe="*")
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # nothing secret (and urlunsplit would drop the '//' of 'duckdb:///path')
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def env_name(field_name: str) -> str:
    """The environment variable(s) a setting is read from."""
    info = Settings.model_fields[field_name]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        return " / ".join(str(c) for c in alias.choices)
    return f"REVINTEL_{field_name.upper()}"


def reference_markdown() -> str:
    """docs/configuration.md: every setting with its variable, default and description."""
    lines = [
        "# Configuration",
        "",
        "Every setting is an environment variable, read once when a command or the server starts",
        "(`revintel config` prints the effective values, secrets masked). This page is generated from",
        "`revintel.config.Settings`; `tests/test_config.py` fails when it is out of date.",
        "",
        "| variable | default | description |",
        "|---|---|---|",
    ]
    for name, info in Settings.model_fields.items():
        default = info.default
        shown = "" if default is None else ("(demo secret)" if name == "secret_key" else str(default))
        lines.append(f"| `{env_name(name)}` | {shown and f'`{shown}`'} | {info.description} |")
    return "\n".join(lines) + "\n"


def effective(settings: Settings) -> dict[str, object]:
    """The settings in force, secrets masked."""
    out: dict[str, object] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if name in SECRET_FIELDS and value:
            value = "***"
        elif isinstance(value, str) and "://" in value:
            value = mask_url(value)
        out[name] = str(value) if isinstance(value, Path | dt.date) else value
    out["warehouse_url"] = mask_url(settings.warehouse_url)
    out["app_db_url"] = mask_url(settings.app_db_url)
    return out
