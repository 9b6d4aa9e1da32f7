"""Slack's text and Block Kit: what people typed read back as they typed it, our messages
within Slack's limits, nobody's words able to ping a channel, and a manifest that matches the
app's listeners."""

from __future__ import annotations

from pathlib import Path

import yaml

from chatbot.adapters.slack import blocks
from chatbot.adapters.slack.listeners import SHORTCUT, reaction_kind
from chatbot.adapters.slack.modals import CHECK_VIEW, check_modal, read_check
from chatbot.adapters.slack.mrkdwn import COMMAND, plain_text, say
from chatbot.policy.model import Draft, MediaDeclaration
from chatbot.workflow.people import Person
from chatbot.workflow.posts import Post, PostState, Version, Vote
from tests.desk import finding, verdict

MANIFEST = Path(__file__).resolve().parent.parent / "chatbot/adapters/slack/manifest.yaml"
SOCKET_MANIFEST = MANIFEST.with_name("manifest-socket-mode.yaml")
POSTER = Person("slack", "U0POSTER")


def post_of(text: str, *findings, votes=(), state=PostState.PENDING) -> Post:
    version = Version(1, Draft(text, media=(MediaDeclaration("Own photo", "CC0"),),
                               context="Rajyotsava"),
                      verdict(*findings), POSTER, 0.0)
    return Post(1, POSTER, state, (version,), tuple(votes), (), 0.0, 0.0)


def sizes_ok(message: list[dict]) -> bool:
    def texts(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, dict):
                    yield node.get("type"), value.get("text", "")
                yield from texts(value)
        elif isinstance(node, list):
            for item in node:
                yield from texts(item)

    return len(message) <= 50 and all(len(t) <= 3000 for _, t in texts(message)) and all(
        len(b["text"]["text"]) <= 150 for b in message if b["type"] == "header")


def test_slack_markup_is_read_back_as_the_poster_typed_it():
    typed = ("Join us at <https://kn.wikipedia.org|kn.wikipedia.org> with <@U0ANA|ana> in "
             "<#C0EVENTS|events> &amp; bring &lt;3 <!here> <mailto:a@b.org|a@b.org> "
             "<https://x.com/a>")

    assert plain_text(typed) == ("Join us at kn.wikipedia.org with @ana in #events & bring <3 "
                                 "@here a@b.org https://x.com/a")


def test_our_words_are_escaped_and_only_our_mentions_are_live():
    text = say("Post 1 went to <#C0COMMS> for approval (by U0ANA); <!channel> & `checkpost "
               "status 1`", people={"U0ANA"})

    assert "<#C0COMMS>" in text and "<@U0ANA>" in text
    assert "&lt;!channel&gt; &amp;" in text
    assert f"`{COMMAND} status 1`" in text


def test_thumbs_in_any_skin_tone_are_votes_and_other_reactions_are_not():
    assert {reaction_kind(n) for n in ("+1", "thumbsup", "+1::skin-tone-2",
                                       "thumbsup::skin-tone-6")} == {"approve"}
    assert {reaction_kind(n) for n in ("-1", "thumbsdown", "-1::skin-tone-4")} == {"changes"}
    assert {reaction_kind(n) for n in ("tada", "heart", "+1_mark", "")} == {None}


def test_a_long_draft_with_many_findings_stays_within_slacks_limits():
    many = [finding("snark", "warning", rule=f"rule-{i}") for i in range(40)]
    post = post_of("A long draft. " * 2000, *many)

    _, comms = blocks.comms_message(post, post.current, approvals_required=2)
    _, findings = blocks.findings_message(post, "went to <#C0COMMS>")

    assert sizes_ok(comms) and sizes_ok(findings)
    assert "more finding(s)" in str(comms) and "more characters" in str(comms)


def test_a_comment_cannot_ping_the_channel_and_the_draft_is_shown_raw():
    vote = Vote(Person("slack", "U0ANA"), "changes", 0.0, comment="<!channel> fix *this*")
    post = post_of("Hello <!here> *bold*", votes=[vote], state=PostState.CHANGES_REQUESTED)

    _, message = blocks.comms_message(post, post.current, approvals_required=1)

    rendered = str(message)
    assert "&lt;!channel&gt;" in rendered and "<!channel>" not in rendered
    quote = next(b for b in message if b["type"] == "rich_text")
    assert quote["elements"][0]["elements"][0]["text"] == "Hello <!here> *bold*"
    assert [b for b in message if b["type"] == "actions"]  # still open: comms may change it


def test_the_check_modal_reads_back_draft_account_media_and_context():
    view = check_modal("Draft text")
    view["state"] = {"values": {
        "draft": {"value": {"value": "Draft text"}},
        "account": {"value": {"selected_option": {"value": "personal"}}},
        "media": {"value": {"value": "Own photo; CC0\n\nRavi's scan; written permission"}},
        "context": {"value": {"value": " Rajyotsava "}},
        "network": {"value": {"selected_option": {"value": "bluesky"}}},
    }}

    draft = read_check(view)

    assert view["callback_id"] == CHECK_VIEW
    assert draft == Draft("Draft text", "personal", (MediaDeclaration("Own photo", "CC0"),
                          MediaDeclaration("Ravi's scan", "written permission")), "Rajyotsava",
                          network="bluesky")
    del view["state"]["values"]["network"]
    assert read_check(view).network == ""  # none chosen: CHECKPOST_PLATFORM's, if any


def test_the_manifest_declares_what_the_listeners_handle():
    manifest = yaml.safe_load(MANIFEST.read_text())
    features, settings = manifest["features"], manifest["settings"]

    (command,) = features["slash_commands"]
    assert command["command"] == COMMAND
    (shortcut,) = features["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"], shortcut["name"]) == (
        "message", SHORTCUT, "Check this post")
    assert set(settings["event_subscriptions"]["bot_events"]) == {"reaction_added",
                                                                   "reaction_removed"}
    assert settings["interactivity"]["is_enabled"]
    urls = {command["url"], settings["event_subscriptions"]["request_url"],
            settings["interactivity"]["request_url"]}
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert {"commands", "chat:write", "im:write", "reactions:read", "users:read"} <= set(
        manifest["oauth_config"]["scopes"]["bot"])


def test_the_socket_mode_manifest_is_the_http_one_without_urls_and_needs_no_editing():
    http = yaml.safe_load(MANIFEST.read_text())
    text = SOCKET_MANIFEST.read_text()
    socket = yaml.safe_load(text)

    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    assert "url" not in text.replace("URL", "") and "example.org" not in text
    for part in (http, socket):  # strip what differs: the URLs and the mode
        part["settings"].pop("socket_mode_enabled")
        part["settings"]["event_subscriptions"].pop("request_url", None)
        part["settings"]["interactivity"].pop("request_url", None)
        for command in part["features"]["slash_commands"]:
            command.pop("url", None)
    assert socket == http
