"""Ask an OpenAI-compatible server for the review, inside one time budget, retries included.

Three things make a real endpoint awkward, and this module owns all three:

- Structured output. A strict JSON schema is asked for first; a server that rejects it (HTTP
  400/422 about `response_format`) is asked again with `json_object`, then with no
  `response_format` at all. The mode that worked is remembered per endpoint and model for the
  life of the process, so only the first review pays for the probe.
- Transient faults. 408, 409, 429 and 5xx answers and connection errors are retried, at most
  `MAX_ATTEMPTS` times in all, after the server's Retry-After or a short backoff, but never when
  the wait would not fit in what is left of the budget.
- Time. `settings.llm_timeout` covers the whole review, from the moment it starts: importing
  the client, connecting, every attempt and every wait between them. Each request gets what
  is left of it as its timeout, and the whole exchange runs on a worker thread that the caller
  stops waiting for when the budget is spent, so neither a slow import, a connection that
  hangs, nor a server that trickles bytes can hold a check past it.

`openai` is imported on that worker, inside the budget: it costs most of a second, and the
rules-only path must not pay for it at all.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from chatbot.config import Settings
from chatbot.review.failure import ReviewFailed
from chatbot.review.schema import MODES, Mode, response_format

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
#: Seconds before the first retry when the server gives no Retry-After; doubled each time.
BACKOFF = 0.25
RETRYABLE = frozenset({408, 409, 429})
#: Words in a 400/422 answer that say the server cannot do the structured output we asked for.
#: A bare "unsupported" is not enough: o-series models say that about `temperature`.
REJECTS_FORMAT = ("response_format", "json_schema", "json_object", "structured output")

_working_modes: dict[tuple[str, str], Mode] = {}

T = TypeVar("T")


def complete(messages: list[dict[str, str]], settings: Settings,
             budget: Budget | None = None) -> str:
    """The model's reply text, or ReviewFailed on any fault or once the budget is spent.

    `budget` is the review's, started by the caller when the review began; by default it
    starts now."""
    budget = budget if budget is not None else Budget(settings.llm_timeout)
    return within(budget, lambda: ask(_import_openai(), messages, settings, budget))


def _import_openai() -> ModuleType:
    import openai

    return openai


def forget_modes() -> None:
    """Forget which structured-output mode each endpoint took (when endpoints change, in tests)."""
    _working_modes.clear()


class Budget:
    """The seconds one review may take, counted from when it started."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def spent(self) -> ReviewFailed:
        return ReviewFailed(
            f"no answer from the LLM within {self.seconds:g} s (CHECKPOST_LLM_TIMEOUT)"
        )


def within(budget: Budget, work: Callable[[], T]) -> T:
    """Run `work` on a daemon thread and stop waiting for it when the budget is spent.

    The thread is abandoned, not killed (Python cannot kill a thread); its own request timeout
    ends it soon after, and being a daemon it never holds up the process's exit.
    """
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = work()
        except Exception as error:  # handed to the caller's thread, which decides what it means
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=run, name="checkpost-llm-review", daemon=True).start()
    if not done.wait(max(budget.remaining(), 0.0)):
        raise budget.spent()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def ask(
    openai: ModuleType, messages: list[dict[str, str]], settings: Settings, budget: Budget
) -> str:
    """Send the request, falling back through the output modes and retrying what is transient."""
    endpoint = (settings.openai_base_url, settings.llm_model)
    modes = MODES[MODES.index(_working_modes.get(endpoint, MODES[0])):]
    with openai.OpenAI(
        base_url=settings.openai_base_url or None,
        api_key=settings.openai_api_key or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=0,
    ) as client:
        attempts = 0
        while True:
            remaining = budget.remaining()
            if remaining <= 0:
                raise budget.spent()
            mode = modes[0]
            try:
                response = client.chat.completions.create(
                    model=settings.llm_model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=0,
                    timeout=remaining,
                    **_format_argument(mode),
                )
            except openai.APIStatusError as error:
                if len(modes) > 1 and rejects_format(error):
                    log.info("LLM endpoint rejected response_format %s; trying the next", mode)
                    modes = modes[1:]
                    continue
                problem, wait = describe_status(error), retry_delay(error, attempts)
            except openai.APITimeoutError:
                raise budget.spent() from None
            except openai.APIConnectionError:
                problem = "could not connect to the LLM endpoint (check OPENAI_BASE_URL)"
                wait = BACKOFF * 2**attempts
            except openai.OpenAIError as error:
                raise ReviewFailed(f"the LLM endpoint's reply could not be read "
                                   f"({type(error).__name__})") from None
            else:
                _working_modes[endpoint] = mode
                return reply_text(response)
            attempts += 1
            pause_before_retry(problem, wait, attempts, budget)


def _format_argument(mode: Mode) -> dict[str, Any]:
    value = response_format(mode)
    return {} if value is None else {"response_format": value}


def rejects_format(error: openai.APIStatusError) -> bool:
    """True when a 400/422 answer says the server cannot do the `response_format` we sent."""
    if error.status_code not in (400, 422):
        return False
    said = f"{error.message} {error.body}".lower()
    return any(words in said for words in REJECTS_FORMAT)


def retry_delay(error: openai.APIStatusError, attempts: int) -> float | None:
    """Seconds to wait before retrying `error`, or None when it is not worth retrying."""
    status = error.status_code
    if status not in RETRYABLE and status < 500:
        return None
    asked = retry_after(error.response.headers)
    return asked if asked is not None else BACKOFF * 2**attempts


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The wait a server asks for in `retry-after-ms` or `Retry-After` (seconds or a date)."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    when = email.utils.parsedate_tz(value)
    if when is None:
        return None
    return max(email.utils.mktime_tz(when) - time.time(), 0.0)


def pause_before_retry(problem: str, wait: float | None, attempts: int, budget: Budget) -> None:
    """Sleep `wait` seconds before the next attempt, or fail if there should be none."""
    if wait is None:
        raise ReviewFailed(problem)
    if attempts >= MAX_ATTEMPTS:
        raise ReviewFailed(f"{problem} (gave up after {attempts} attempts)")
    left = budget.remaining()
    if wait >= left:
        raise ReviewFailed(
            f"{problem}; a retry would have to wait {wait:g} s with {max(left, 0):.1f} s of the "
            "LLM time budget left"
        )
    log.info("LLM review: %s; retrying in %.2f s", problem, wait)
    time.sleep(wait)


HINTS = {
    401: "check OPENAI_API_KEY",
    403: "check OPENAI_API_KEY",
    404: "check OPENAI_BASE_URL and CHECKPOST_LLM_MODEL",
    429: "rate limited",
}


def describe_status(error: openai.APIStatusError) -> str:
    """A one-line reason for an HTTP error: the status, a hint, and the server's own message."""
    status = error.status_code
    text = f"the LLM endpoint answered HTTP {status}"
    if status in HINTS:
        text += f" ({HINTS[status]})"
    detail = server_message(error.body) or ""
    detail = " ".join(detail.split())
    if detail:
        text += ": " + (detail if len(detail) <= 160 else detail[:159] + "…")
    return text


def server_message(body: object) -> str | None:
    """The human message in an error body: OpenAI's `{"error": {"message"}}` or the like."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            for key in ("message", "detail", "msg"):
                if isinstance(inner.get(key), str):
                    return inner[key]
        if isinstance(inner, str):
            return inner
        if isinstance(body.get("detail"), str):
            return body["detail"]
        return None
    if isinstance(body, str):
        return body
    return None


def reply_text(response: object) -> str:
    """The text of the first choice; ReviewFailed when there is none or it was cut off."""
    choices = getattr(response, "choices", None) or []
    if not choices:
        raise ReviewFailed("the LLM endpoint answered with no choices")
    choice = choices[0]
    message = getattr(choice, "message", None)
    content = getattr(message, "content", None)
    if getattr(choice, "finish_reason", None) == "length":
        raise ReviewFailed("the model's answer was cut off before it ended")
    if not isinstance(content, str) or not content.strip():
        refusal = getattr(message, "refusal", None)
        if isinstance(refusal, str) and refusal.strip():
            raise ReviewFailed("the model declined to review the draft: " + refusal.strip()[:160])
        raise ReviewFailed("the model's answer was empty")
    return content
