"""The core's `Port` in Slack: the comms channel, direct messages, chat.update.

Messages go through one `WebClient` (see `client.make_client`), whose retry handlers wait out
rate limits, so a call here either went out or raises; the core then records the failure and,
for reminders, tries again later. The port is called from request workers and from the
reminder thread at once; the WebClient is safe for that, and the one piece of state kept here
(which direct-message channel belongs to whom) is guarded by a lock.

Slack has no transaction id that drops a repeated chat.postMessage, so every message the core
may send again after a crash (a job's notice, a reminder, a post's or an incident's comms
message) carries its key in the message metadata (`checkpost_message`); when the core says
an earlier attempt may have gone out (`again`), the port first looks for that key among the
channel's recent messages (conversations.history, which needs the history scopes of the
manifest) and, if it is there, sends nothing and returns that message. Without those scopes
it logs why and sends: at least once.

People appear in the blocks as mentions (`<@U0ANA>`: Slack shows the person's display name
and the id makes it a mention); in a message's `text`, which notifications and screen readers
read as is, they appear by display name, looked up with `users.info` once and then cached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from chatbot.adapters.slack import blocks, lists
from chatbot.adapters.slack.mrkdwn import USER_ID, say
from chatbot.display_names import DisplayNames
from chatbot.messages import MessageRef
from chatbot.notices import Notice, NudgeNotice, ReminderNotice
from chatbot.workflow.incidents import Incident
from chatbot.workflow.listing import Listing
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Post

log = logging.getLogger(__name__)

PLATFORM = "slack"
METADATA_TYPE = "checkpost_message"
HISTORY_LOOKBACK = 100  # recent messages searched for a key; a retry comes soon after
FINDINGS_KINDS = frozenset({"submitted", "revised"})
COMMS_UNREACHABLE = ("The comms channel could not be reached: ask an admin to check that "
                     "checkpost is in that channel.")


class SlackPort:
    """Posts and updates checkpost's messages in Slack on behalf of the workflow."""

    platform = PLATFORM

    def __init__(
        self,
        client: WebClient,
        comms_channel: str,
        *,
        approvals_required: int = 1,
        comms_users: Iterable[str] = (),
    ) -> None:
        self.client = client
        self.comms_channel = comms_channel
        self.approvals_required = approvals_required
        self.comms_users = frozenset(comms_users)
        self._dm_channels: dict[str, str] = {}
        self._permalinks: dict[str, str] = {}
        self._lock = threading.Lock()
        self.names = DisplayNames(self._look_up_name)

    @property
    def comms_where(self) -> str:
        return f"<#{self.comms_channel}>"

    # --- the Port protocol -----------------------------------------------------------------

    def show_to_comms(self, post: Post, *, again: bool = False) -> MessageRef:
        text, body = blocks.comms_message(post, post.current, self.approvals_required)
        sent = self._post(self.comms_channel, self._named(text, _post_people(post)), body,
                          key=f"comms-{post.number}-{post.current.number}", again=again)
        return message_ref(sent["channel"], sent["ts"])

    def update_comms_message(self, ref: MessageRef, post: Post) -> None:
        channel, ts = split_ref(ref)
        text, body = blocks.comms_message(post, post.shown_in(ref), self.approvals_required)
        self.client.chat_update(channel=channel, ts=ts,
                                text=self._named(text, _post_people(post)), blocks=body)

    def tell(self, person: Person, notice: Notice) -> None:
        if notice.kind in FINDINGS_KINDS and notice.post is not None:
            # the findings and the post's number in one message
            text, body = blocks.findings_message(notice.post, say(notice.text))
        else:
            if notice.kind == "comms-unreachable":
                notice = replace(notice, text=f"{notice.text} {COMMS_UNREACHABLE}")
            text, body = blocks.notice_message(notice, self._people(person))
        self.direct_message(person.user_id,
                            self._named(text, self._people(person) | _actor(notice)), body,
                            key=notice.key, again=notice.again)

    def alert_comms(self, notice: Notice) -> None:
        text, body = blocks.notice_message(notice, self.comms_users)
        self._post(self.comms_channel, self._named(text, self.comms_users | _actor(notice)),
                   body, key=notice.key, again=notice.again)

    def remind(self, person: Person, reminder: ReminderNotice) -> None:
        text, body = blocks.reminder_message(reminder)
        self.direct_message(person.user_id, text, body, key=reminder.key, again=reminder.again)

    def nudge_comms(self, nudge: NudgeNotice) -> None:
        """In the thread of the post's comms message, and shown in the channel too
        (`reply_broadcast`): a thread reply alone notifies nobody but its followers."""
        people = self.comms_users | {nudge.poster.user_id}
        text, body = lists.nudge_message(nudge, people)
        text = self._named(text, people)
        if nudge.thread is None:
            self._post(self.comms_channel, text, body, key=nudge.key)
            return
        channel, ts = split_ref(nudge.thread)
        self._post(channel, text, body, key=nudge.key, thread_ts=ts, reply_broadcast=True)

    def show_incident_to_comms(self, incident: Incident, *, again: bool = False) -> MessageRef:
        text, body = blocks.incident_message(incident)
        sent = self._post(self.comms_channel, self._named(text, _incident_people(incident)),
                          body, key=f"incident-{incident.id}", again=again)
        return message_ref(sent["channel"], sent["ts"])

    def update_incident_message(self, ref: MessageRef, incident: Incident) -> None:
        channel, ts = split_ref(ref)
        text, body = blocks.incident_message(incident)
        self.client.chat_update(channel=channel, ts=ts,
                                text=self._named(text, _incident_people(incident)), blocks=body)

    # --- for the listeners -----------------------------------------------------------------

    def send_text(self, user_id: str, text: str) -> None:
        """A short direct message in the core's words (answers to modal submissions)."""
        people = self._people(Person(PLATFORM, user_id))
        plain, body = blocks.text_message(text, people)
        self.direct_message(user_id, self._named(plain, people), body)

    def whisper(self, channel: str, user_id: str, text: str, thread_ts: str | None = None) -> None:
        """An ephemeral answer only `user_id` sees, e.g. why their reaction changed nothing."""
        people = self._people(Person(PLATFORM, user_id))
        plain, body = blocks.text_message(text, people)
        plain = self._named(plain, people)
        kwargs: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
        self.client.chat_postEphemeral(channel=channel, user=user_id, text=plain, blocks=body,
                                       **kwargs)

    def permalink(self, ref: MessageRef) -> str | None:
        """A link to one of our messages (`chat.getPermalink`, asked once per message and
        process: a permalink never changes); None when Slack will not give one."""
        with self._lock:
            known = self._permalinks.get(ref.id)
        if known:
            return known
        channel, ts = split_ref(ref)
        try:
            link = self.client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        except (SlackApiError, KeyError):
            return None
        with self._lock:
            self._permalinks[ref.id] = link
        return link

    def listing(self, listing: Listing, person: Person) -> tuple[str, list[dict[str, Any]]]:
        """`/checkpost pending` or `mine`, with links to the comms messages."""
        people = {person.user_id, *(i.post.poster.user_id for i in listing.items)}
        text, body = lists.listing_message(listing, self.permalink, self.comms_users | people)
        return self._named(text, people), body

    def direct_message(self, user_id: str, text: str, body: list[dict[str, Any]], *,
                       key: str = "", again: bool = False) -> None:
        """conversations.open (once per person and process), then chat.postMessage."""
        channel = self._dm_channel(user_id)
        try:
            self._post(channel, text, body, key=key, again=again)
        except SlackApiError:
            with self._lock:  # the DM may have been closed or archived: open it again next time
                self._dm_channels.pop(user_id, None)
            raise

    # --- helpers ---------------------------------------------------------------------------

    def _post(self, channel: str, text: str, body: list[dict[str, Any]], *, key: str = "",
              again: bool = False, **thread: Any) -> Any:
        """chat.postMessage, with `key` in the metadata; with `again`, the message carrying
        `key` that is already in the channel, if there is one, instead of a second copy.
        `thread` is a thread reply's `thread_ts` (and `reply_broadcast`)."""
        if key and again and (earlier := self._sent_before(channel, key)) is not None:
            log.info("message %s was already in %s: not sent again", key, channel)
            return {"channel": channel, "ts": earlier["ts"]}
        extra: dict[str, Any] = dict(thread)
        if key:
            extra["metadata"] = {"event_type": METADATA_TYPE, "event_payload": {"key": key}}
        return self.client.chat_postMessage(channel=channel, text=text, blocks=body,
                                            unfurl_links=False, unfurl_media=False, **extra)

    def _sent_before(self, channel: str, key: str) -> dict[str, Any] | None:
        """The recent message of `channel` whose metadata carries `key`, if any."""
        try:
            history = self.client.conversations_history(
                channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True)
        except SlackApiError as exc:
            log.warning("could not read %s to see whether message %s went out (%s); "
                        "sending it again", channel, key, exc.response.get("error", exc))
            return None
        for message in history.get("messages") or []:
            metadata = message.get("metadata") or {}
            if (metadata.get("event_type") == METADATA_TYPE
                    and (metadata.get("event_payload") or {}).get("key") == key):
                return message
        return None

    def _dm_channel(self, user_id: str) -> str:
        with self._lock:
            known = self._dm_channels.get(user_id)
        if known:
            return known
        opened = self.client.conversations_open(users=user_id)
        channel = opened["channel"]["id"]
        with self._lock:
            self._dm_channels[user_id] = channel
        return channel

    def _people(self, person: Person) -> frozenset[str]:
        return self.comms_users | {person.user_id}

    def _named(self, text: str, people: Iterable[str]) -> str:
        """`text` with the Slack user ids of `people` shown as their display names."""
        known = set(people) | self.comms_users
        return self.names.in_text(text, USER_ID, only=known.__contains__)

    def _look_up_name(self, user_id: str) -> str | None:
        user = self.client.users_info(user=user_id).get("user") or {}
        profile = user.get("profile") or {}
        return (profile.get("display_name") or profile.get("real_name") or user.get("real_name")
                or user.get("name"))


def _actor(notice: Notice) -> set[str]:
    return {notice.actor.user_id} if notice.actor and notice.actor.platform == PLATFORM else set()


def _post_people(post: Post) -> set[str]:
    return {post.poster.user_id, *(v.voter.user_id for v in post.votes)}


def _incident_people(incident: Incident) -> set[str]:
    return {incident.reporter.user_id,
            *(s.done_by.user_id for s in incident.steps if s.done_by is not None)}


def message_ref(channel: str, ts: str) -> MessageRef:
    """Our handle on a Slack message: `C123/1700000000.000100`, and `<#C123>` to name it."""
    return MessageRef(f"{channel}/{ts}", f"<#{channel}>")


def split_ref(ref: MessageRef) -> tuple[str, str]:
    channel, _, ts = ref.id.partition("/")
    return channel, ts
