"""The platform-neutral life of a post: submit, decide, publish, remind, measure, report.

Adapters use `Workflow` for actions, `ReminderScheduler` for reminders, `parse_metrics` for
the metrics syntax, and read the results (`Outcome`, `Post`, `Incident`). See `service` for
the guarantees every action keeps.
"""

from chatbot.workflow.clock import Clock, ManualClock, SystemClock
from chatbot.workflow.incidents import CHECKLIST, Incident, find_step
from chatbot.workflow.metrics import Metrics, MetricsError, parse_metrics
from chatbot.workflow.outcome import Code, Outcome
from chatbot.workflow.people import Person, comms_from_settings
from chatbot.workflow.posts import Link, Post, PostState, Version, Vote
from chatbot.workflow.reminders import ReminderScheduler
from chatbot.workflow.service import Workflow

__all__ = [
    "CHECKLIST",
    "Clock",
    "Code",
    "Incident",
    "Link",
    "ManualClock",
    "Metrics",
    "MetricsError",
    "Outcome",
    "Person",
    "Post",
    "PostState",
    "ReminderScheduler",
    "SystemClock",
    "Version",
    "Vote",
    "Workflow",
    "comms_from_settings",
    "find_step",
    "parse_metrics",
]
