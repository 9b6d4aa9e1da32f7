"""The Matrix adapter's parts that need no homeserver: reading events, rendering, settings,
the invite policy and transaction ids. The flows themselves are tested against Synapse in
test_matrix.py."""

from __future__ import annotations

import pytest

from chatbot.adapters.matrix import html
from chatbot.adapters.matrix.bot import may_invite, validate
from chatbot.adapters.matrix.events import (
    Event,
    as_message,
    as_reaction,
    as_redaction,
    command_text,
)
from chatbot.adapters.matrix.port import split_ref, txn_id
from chatbot.config import ConfigError, Settings
from chatbot.messages import MessageRef
from chatbot.notices import Notice
from chatbot.workflow import Code, Outcome
from tests.desk import Desk, finding


def event(kind: str, content: dict, **extra) -> Event:
    raw = {"event_id": "$e1", "sender": "@ravi:a2k.example", "type": kind, "content": content,
           "origin_server_ts": 1, **extra}
    made = Event.from_raw("!room:a2k.example", raw)
    assert made is not None
    return made


# --- reading events ------------------------------------------------------------------------


@pytest.mark.parametrize("body, words", [
    ("!checkpost Join us on Saturday!", "Join us on Saturday!"),
    ("  !CheckPost   status 4", "status 4"),
    ("!checkpost", ""),
    ("!checkpost\nline one\nline two", "line one\nline two"),
    ("!checkposting is fun", None),
    ("I use !checkpost daily", None),
])
def test_only_messages_that_start_with_the_prefix_are_commands(body, words):
    assert command_text(body) == words


def test_an_edit_is_read_as_its_new_text_and_the_message_it_replaces():
    edit = as_message(event("m.room.message", {
        "msgtype": "m.text", "body": "* !checkpost new text",
        "m.new_content": {"msgtype": "m.text", "body": "!checkpost new text"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$original"}}))
    assert edit is not None
    assert (edit.replaces, edit.command) == ("$original", "new text")


def test_a_reply_fallback_does_not_hide_the_command():
    reply = as_message(event("m.room.message", {
        "msgtype": "m.text", "body": "> <@ana:a2k.example> try again\n\n!checkpost status 3",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$x"}}}))
    assert reply is not None and reply.command == "status 3"


def test_a_message_in_a_thread_is_answered_in_that_thread():
    message = as_message(event("m.room.message", {
        "msgtype": "m.text", "body": "!checkpost help",
        "m.relates_to": {"rel_type": "m.thread", "event_id": "$root"}}))
    assert message is not None and message.thread_root == "$root"


@pytest.mark.parametrize("key", ["👍", "👍\ufe0f", "👍🏽", " 👍 "])
def test_thumbs_up_is_read_with_or_without_variation_selector_or_skin_tone(key):
    reaction = as_reaction(event("m.reaction", {"m.relates_to": {
        "rel_type": "m.annotation", "event_id": "$post", "key": key}}))
    assert reaction is not None and (reaction.key, reaction.target) == ("👍", "$post")


def test_a_redaction_names_its_target_in_the_content_or_at_the_top():
    new_style = as_redaction(event("m.room.redaction", {"redacts": "$r1"}))
    old_style = as_redaction(event("m.room.redaction", {}, redacts="$r2"))
    assert (new_style.redacts, old_style.redacts) == ("$r1", "$r2")


def test_events_without_an_id_or_sender_are_skipped():
    assert Event.from_raw("!r", {"type": "m.room.message", "content": {}}) is None


# --- rendering -----------------------------------------------------------------------------


def test_a_draft_s_markup_is_escaped_in_the_html_body(tmp_path):
    desk = Desk(tmp_path / "db.sqlite")
    try:
        number = desk.submit(finding("product-endorsement", "error"),
                             text="<script>alert(1)</script> Join us!")
        post = desk.workflow.post(number)
    finally:
        desk.close()
    rendered = html.comms_message(post, post.current, approvals_required=1)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert "<script>alert(1)</script> Join us!" in rendered.body
    assert '!checkpost approve 1 --override "reason"' in rendered.body


def test_core_commands_are_written_the_matrix_way():
    notice = html.notice(Notice("approved", "Post 3 is approved; publish it, then mark it with "
                                "`checkpost published 3 URL`.", 3))
    assert "`!checkpost published 3 URL`" in notice.body
    assert "<code>!checkpost published 3 URL</code>" in notice.html


def test_links_become_anchors_and_nothing_else_becomes_markup():
    rendered = html.text("See https://x.com/a2k/status/1. <b>not bold</b> & `code <here>`")
    assert '<a href="https://x.com/a2k/status/1">https://x.com/a2k/status/1</a>.' in rendered.html
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; <code>code &lt;here&gt;</code>" in rendered.html


def test_every_message_is_a_notice_with_html_and_no_accidental_pings():
    content = html.notice_content(html.text("hello"))
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    assert content["m.mentions"] == {}
    edit = html.replacement("$orig", html.text("new"))
    assert edit["m.new_content"]["body"] == "new" and edit["body"] == "* new"
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$orig"}


def test_a_very_long_draft_is_shortened_in_the_comms_room(tmp_path):
    desk = Desk(tmp_path / "db.sqlite")
    try:
        number = desk.submit(text="word " * 4000)
        post = desk.workflow.post(number)
    finally:
        desk.close()
    rendered = html.comms_message(post, post.current, approvals_required=1)
    assert len(rendered.body) < 12_000 and "more characters" in rendered.body


def test_a_refused_action_reads_as_the_workflow_s_message():
    outcome = Outcome.refused(Code.UNKNOWN_POST, "There is no post 9; check the number.")
    assert html.outcome_text(outcome).body == "There is no post 9; check the number."


# --- settings, invites, ids ----------------------------------------------------------------

GOOD = Settings(matrix_homeserver="https://matrix.a2k.example",
                matrix_user_id="@checkpost:a2k.example", matrix_password="pw",
                matrix_comms_room="#comms:a2k.example",
                matrix_comms_users=("@ana:a2k.example",))


@pytest.mark.parametrize("change, names", [
    ({"matrix_homeserver": ""}, "MATRIX_HOMESERVER"),
    ({"matrix_password": ""}, "MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN"),
    ({"matrix_user_id": "checkpost"}, "MATRIX_USER_ID"),
    ({"matrix_comms_room": "comms"}, "CHECKPOST_MATRIX_COMMS_ROOM"),
    ({"matrix_comms_users": ("ana",)}, "CHECKPOST_MATRIX_COMMS_USERS"),
    ({"matrix_homeserver": "matrix.a2k.example"}, "MATRIX_HOMESERVER"),
])
def test_missing_or_malformed_settings_name_the_variable(change, names):
    from dataclasses import replace

    validate(GOOD)
    with pytest.raises(ConfigError, match=names):
        validate(replace(GOOD, **change))


def test_invites_are_accepted_only_from_comms_members_and_the_bot_s_own_server():
    bot, comms = "@checkpost:a2k.example", ("@ana:matrix.org",)
    assert may_invite("@ravi:a2k.example", "!r", bot, comms, "!comms")
    assert may_invite("@ana:matrix.org", "!r", bot, comms, "!comms")
    assert may_invite("@stranger:evil.example", "!comms", bot, comms, "!comms")
    assert not may_invite("@stranger:evil.example", "!r", bot, comms, "!comms")
    assert not may_invite("@checkpost:evil.example", "!r", bot, comms, "!comms")
    assert not may_invite(None, "!r", bot, comms, "!comms")


def test_transaction_ids_repeat_for_the_same_thing_and_only_for_it():
    one = txn_id("abc", "answer", "$event/with:odd chars")
    assert one == txn_id("abc", "answer", "$event/with:odd chars")
    assert one != txn_id("abc", "answer", "$other")
    assert one != txn_id("xyz", "answer", "$event/with:odd chars")
    assert all(c.isalnum() or c in "._" for c in one)


def test_a_comms_reference_splits_into_room_and_event():
    assert split_ref(MessageRef("!room:a2k.example/$ev_1", "#comms")) == (
        "!room:a2k.example", "$ev_1")
