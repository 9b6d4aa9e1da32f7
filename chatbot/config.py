"""Settings from the environment (12-factor), read and validated once.

A `.env` file in the working directory is read when present; real environment variables win.
Secrets (API keys, tokens, passwords) live only here and are never printed: `Settings.__repr__`
masks them so a stray log line cannot leak one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

SECRET_FIELDS = frozenset(
    {
        "openai_api_key",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "matrix_password",
        "matrix_access_token",
    }
)


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable and what to do."""


@dataclass(frozen=True)
class Settings:
    db_path: str = "checkpost.db"
    policy_dir: str = "policies"
    reminders: tuple[int, ...] = (0, 3600, 86400, 259200)
    approvals_required: int = 1
    #: Seconds a post may wait for a decision before comms are nudged (0: never nudge).
    nudge_after: int = 4 * 3600
    openai_api_key: str = ""
    openai_base_url: str = ""
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = 30.0
    #: The learned layer (CHECKPOST_MODEL=on|off) and, for retrained heads, their file.
    model_on: bool = True
    model_heads: str = ""
    #: The network a draft goes to when it names none (`x`, `mastodon`, …); empty: none.
    network: str = ""
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = "https://slack.com/api/"
    slack_comms_channel: str = ""
    slack_comms_users: tuple[str, ...] = ()
    port: int = 3000
    matrix_homeserver: str = ""
    matrix_user_id: str = ""
    matrix_password: str = ""
    matrix_access_token: str = ""
    matrix_comms_room: str = ""
    matrix_comms_users: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def llm_configured(self) -> bool:
        """The review runs when an endpoint or a key says where to send it."""
        return bool(self.openai_base_url or self.openai_api_key)

    def __repr__(self) -> str:
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS and value:
                value = "***"
            parts.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(parts)})"


def load_settings(env: Mapping[str, str] | None = None, dotenv: bool = True) -> Settings:
    """Build Settings from `env` (default: the process environment plus `.env`)."""
    if env is None:
        env = dict(os.environ)
        if dotenv and Path(".env").is_file():
            from dotenv import dotenv_values

            env = {**{k: v for k, v in dotenv_values(".env").items() if v is not None}, **env}
    get = env.get
    return Settings(
        db_path=get("CHECKPOST_DB", "checkpost.db"),
        policy_dir=get("CHECKPOST_POLICY_DIR", "policies"),
        reminders=parse_offsets(get("CHECKPOST_REMINDERS", "0m,1h,24h,72h"), "CHECKPOST_REMINDERS"),
        approvals_required=_positive_int(
            get("CHECKPOST_APPROVALS_REQUIRED", "1"), "CHECKPOST_APPROVALS_REQUIRED"
        ),
        nudge_after=_nudge_after(get("CHECKPOST_NUDGE_AFTER", "4h")),
        openai_api_key=get("OPENAI_API_KEY", ""),
        openai_base_url=get("OPENAI_BASE_URL", ""),
        llm_model=get("CHECKPOST_LLM_MODEL", "") or "gpt-4o-mini",
        llm_timeout=_positive_float(get("CHECKPOST_LLM_TIMEOUT", "30"), "CHECKPOST_LLM_TIMEOUT"),
        model_on=_switch(get("CHECKPOST_MODEL", "on"), "CHECKPOST_MODEL"),
        model_heads=get("CHECKPOST_MODEL_HEADS", ""),
        network=_network(get("CHECKPOST_PLATFORM", "")),
        slack_bot_token=get("SLACK_BOT_TOKEN", ""),
        slack_signing_secret=get("SLACK_SIGNING_SECRET", ""),
        slack_app_token=get("SLACK_APP_TOKEN", ""),
        slack_api_url=get("CHECKPOST_SLACK_API_URL", "") or "https://slack.com/api/",
        slack_comms_channel=get("CHECKPOST_SLACK_COMMS_CHANNEL", ""),
        slack_comms_users=_csv(get("CHECKPOST_SLACK_COMMS_USERS", "")),
        port=_positive_int(get("PORT", "3000"), "PORT"),
        matrix_homeserver=get("MATRIX_HOMESERVER", ""),
        matrix_user_id=get("MATRIX_USER_ID", ""),
        matrix_password=get("MATRIX_PASSWORD", ""),
        matrix_access_token=get("MATRIX_ACCESS_TOKEN", ""),
        matrix_comms_room=get("CHECKPOST_MATRIX_COMMS_ROOM", ""),
        matrix_comms_users=_csv(get("CHECKPOST_MATRIX_COMMS_USERS", "")),
    )


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_OFFSET = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")


def parse_offsets(value: str, name: str = "offsets") -> tuple[int, ...]:
    """Parse `0m,1h,24h,72h` into seconds; units s, m, h, d."""
    offsets = []
    for part in value.split(","):
        if not part.strip():
            continue
        m = _OFFSET.match(part)
        if not m:
            raise ConfigError(
                f"{name}: {part.strip()!r} is not a duration; write a number and a unit "
                "(s, m, h or d), comma-separated, e.g. 0m,1h,24h,72h"
            )
        offsets.append(int(m.group(1)) * _UNITS[m.group(2)])
    return tuple(sorted(offsets))


def parse_duration(value: str, name: str = "duration") -> int:
    """One duration such as `180d` in seconds."""
    offsets = parse_offsets(value, name)
    if len(offsets) != 1:
        raise ConfigError(f"{name}: expected one duration such as 180d, got {value!r}")
    return offsets[0]


def _nudge_after(value: str) -> int:
    """CHECKPOST_NUDGE_AFTER: one duration like the reminders' (`4h`, `90m`); `0` or `off`
    turns nudges off; empty is the default."""
    value = value.strip() or "4h"
    if value.lower() in ("0", "off"):
        return 0
    return parse_duration(value, "CHECKPOST_NUDGE_AFTER")


def _switch(value: str, name: str) -> bool:
    word = value.strip().lower()
    if word in ("on", "1", "true", "yes", ""):
        return True
    if word in ("off", "0", "false", "no"):
        return False
    raise ConfigError(f"{name} must be on or off, got {value!r}")


def _network(value: str) -> str:
    from chatbot.policy.networks import NETWORKS

    name = value.strip().lower()
    if name and name not in NETWORKS:
        raise ConfigError(f"CHECKPOST_PLATFORM must be one of {', '.join(NETWORKS)} (or empty "
                          f"for none), got {value!r}")
    return name


def _csv(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _positive_int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number < 1:
        raise ConfigError(f"{name} must be at least 1, got {number}")
    return number


def _positive_float(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{name} must be more than 0 seconds, got {number}")
    return number


def policy_path(settings: Settings) -> Path:
    """CHECKPOST_POLICY_DIR, else ./policies, else the policies shipped beside the package."""
    configured = Path(settings.policy_dir)
    if configured.exists() or settings.policy_dir != "policies":
        return configured
    shipped = Path(__file__).resolve().parent.parent / "policies"
    return shipped if shipped.is_dir() else configured
