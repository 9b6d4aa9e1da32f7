"""The one Web API client the Slack adapter uses, pointed where the settings say.

`CHECKPOST_SLACK_API_URL` sets the base URL: Slack's own by default, GovSlack's
(`https://slack-gov.com/api/`) for government workspaces, a local server in tests.
Rate limits are waited out, not dropped: on a 429 the client sleeps for the `Retry-After`
Slack sent (plus a little jitter, so workers do not retry in lockstep) and tries again, up
to `RATE_LIMIT_RETRIES` times; a dropped connection is retried too. Callers run after the
request was acknowledged (or on the reminder thread), so the wait never delays Slack's
3-second deadline.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from chatbot.config import Settings

RATE_LIMIT_RETRIES = 5
CONNECTION_RETRIES = 2
TIMEOUT = 15


def make_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token or None,
        base_url=api_url(settings.slack_api_url),
        timeout=TIMEOUT,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def api_url(url: str) -> str:
    """slack_sdk joins method names onto the base URL, which therefore must end in `/`."""
    return url if url.endswith("/") else url + "/"
