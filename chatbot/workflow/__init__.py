"""The platform-neutral life of a post: submit, decide, publish, remind, measure, report.

Adapters use `Workflow` for actions, `ReminderScheduler` for reminders, `parse_metrics` for
the metrics syntax, and read the results (`Outcome`, `Post`, `Incident`). See `service` for
the guarantees every action keeps.

The names below are loaded when first asked for: importing one model module
(`chatbot.workflow.posts`, as `chatbot.ports` does) does not import the whole workflow, so the
port depends on the model without the model's package depending back on the port.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "CHECKLIST": "incidents",
    "Clock": "clock",
    "Code": "outcome",
    "Incident": "incidents",
    "Link": "posts",
    "ManualClock": "clock",
    "Metrics": "metrics",
    "MetricsError": "metrics",
    "Outcome": "outcome",
    "Person": "people",
    "Post": "posts",
    "PostState": "posts",
    "ReminderScheduler": "reminders",
    "SystemClock": "clock",
    "Version": "posts",
    "Vote": "posts",
    "Workflow": "service",
    "comms_from_settings": "people",
    "find_step": "incidents",
    "parse_metrics": "metrics",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'chatbot.workflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"chatbot.workflow.{home}"), name)
    globals()[name] = value
    return value
