"""Slack end to end: a post that waits too long is nudged in its comms thread, and the lists
`/checkpost pending` and `/checkpost mine` link to the comms messages.

The real Bolt app behind waitress, the workflow and its scheduler thread, and the Web API
stand-in (`tests/servers/slack_api.py`); the bot's time is a `ManualClock`, moved by the test,
and the scheduler is woken to look. Every wait is on a recorded call, with a timeout.
"""

from __future__ import annotations

import time

import pytest

from chatbot.workflow.clock import ManualClock
from tests.servers.slack_api import (
    COMMS_CHANNEL,
    Call,
    RunningBot,
    SlackAPI,
    bot_settings,
    dm_channel,
    permalink,
)

POSTER, ANA = "U0POSTER", "U0ANA"
FINE = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00 in Bengaluru!"
PLUG = "Our trainers love the ZenTab 12: use code WIKI15 for 15% off!"
HOUR, MINUTE = 3600, 60


@pytest.fixture
def api():
    with SlackAPI() as api:
        api.display_names.update({POSTER: "Ravi Hegde", ANA: "Ana Rao"})
        yield api


@pytest.fixture
def clock():
    return ManualClock(time.time())


@pytest.fixture
def running(api, tmp_path, policy, clock):
    bot = RunningBot(bot_settings(api, str(tmp_path / "checkpost.db"),
                                  CHECKPOST_NUDGE_AFTER="4h"), api, policy=policy, clock=clock)
    yield bot
    bot.stop()


def submitted(api: SlackAPI, running: RunningBot, text: str) -> Call:
    """`/checkpost text` from the poster; the comms message it became, once recorded."""
    before = len(api.of("chat.postMessage", channel=COMMS_CHANNEL))
    told = len(api.dms_to(POSTER))
    assert running.slack.command(POSTER, text).status == 200
    api.wait_for(lambda: len(api.dms_to(POSTER)) > told, what="the findings DM")
    shown = api.wait_calls("chat.postMessage", before + 1, channel=COMMS_CHANNEL)[before]
    assert running.slack.settle()
    return shown


def thread_replies(api: SlackAPI, message: Call) -> list[Call]:
    return api.of("chat.postMessage", channel=COMMS_CHANNEL, thread_ts=message.answer["ts"])


def answer_to(api: SlackAPI, running: RunningBot, user: str, words: str) -> Call:
    """The ephemeral answer `/checkpost words` gets through its response_url."""
    before = len(api.of("response_url"))
    reply = running.slack.command(user, words)
    assert reply.status == 200 and reply.body == ""  # acknowledged at once, answered after
    return api.wait_calls("response_url", before + 1)[before]


def test_a_post_waiting_past_four_hours_is_nudged_once_in_its_comms_thread(api, running,
                                                                          clock):
    message = submitted(api, running, PLUG)

    clock.advance(4 * HOUR + 10 * MINUTE)
    running.bot.scheduler.wake()

    (nudge,) = api.wait_for(lambda: thread_replies(api, message), what="the nudge")
    assert nudge.args["text"].startswith("Post 1 has waited 4 h 10 min for a decision.")
    assert "(product-endorsement) need an override reason" in nudge.args["text"]
    assert str(nudge.args["reply_broadcast"]).lower() in ("true", "1")
    clock.advance(HOUR)
    assert running.bot.scheduler.nudges.run_due() == []  # once, until a day has passed
    assert len(thread_replies(api, message)) == 1


def test_an_approved_post_is_not_nudged(api, running, clock):
    message = submitted(api, running, FINE)
    running.slack.reaction(ANA, "+1", COMMS_CHANNEL, message.answer["ts"])
    api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "is approved" in c.text])

    clock.advance(2 * 86400)

    assert running.bot.scheduler.nudges.run_due() == []
    assert thread_replies(api, message) == []


def test_pending_lists_what_waits_oldest_first_with_links_to_the_comms_messages(api, running,
                                                                               clock):
    first = submitted(api, running, PLUG)
    clock.advance(2 * HOUR)
    second = submitted(api, running, FINE)
    clock.advance(10 * MINUTE)

    answer = answer_to(api, running, ANA, "pending")

    assert answer.args["response_type"] == "ephemeral"
    link_1 = permalink(COMMS_CHANNEL, first.answer["ts"])
    link_2 = permalink(COMMS_CHANNEL, second.answer["ts"])
    blocks = answer.text
    assert "*2 posts wait for a decision, the longest waiting first:*" in blocks
    assert (f"• <{link_1}|*Post 1*> — from <@{POSTER}>, waiting 2 h 10 min; blocking: "
            "product-endorsement (approve with an override reason)") in blocks
    assert f"• <{link_2}|*Post 2*> — from <@{POSTER}>, waiting 10 min; nothing blocks" in blocks
    assert blocks.index("Post 1") < blocks.index("Post 2")
    assert f"• Post 1 ({link_1}) — from Ravi Hegde, waiting 2 h 10 min" in answer.args["text"]

    answer_to(api, running, ANA, "pending")
    assert len(api.of("chat.getPermalink")) == 2  # asked once per message


def test_pending_is_refused_to_someone_outside_the_comms_team(api, running):
    submitted(api, running, FINE)

    answer = answer_to(api, running, POSTER, "pending")

    assert "Only the comms team's members see what waits" in answer.args["text"]
    assert "`/checkpost mine`" in answer.args["text"]


def test_mine_lists_the_posters_posts_and_where_each_stands(api, running, clock):
    first = submitted(api, running, FINE)
    running.slack.reaction(ANA, "+1", COMMS_CHANNEL, first.answer["ts"])
    api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "is approved" in c.text])
    second = submitted(api, running, PLUG)
    clock.advance(HOUR)

    answer = answer_to(api, running, POSTER, "mine")

    blocks = answer.text
    assert "*Your posts, newest first:*" in blocks
    assert (f"• <{permalink(COMMS_CHANNEL, second.answer['ts'])}|*Post 2*> — waits for the "
            "comms team's decision (1 h so far); its error-level findings "
            "(product-endorsement) need an override") in blocks
    assert (f"• <{permalink(COMMS_CHANNEL, first.answer['ts'])}|*Post 1*> — approved: publish "
            "it, then `/checkpost published 1 URL`") in blocks
    assert api.of("chat.postMessage", channel=dm_channel(ANA)) == []


def test_a_list_still_goes_out_when_slack_gives_no_permalink(api, running):
    submitted(api, running, FINE)
    api.fail("chat.getPermalink", "message_not_found")

    answer = answer_to(api, running, POSTER, "mine")

    assert "• *Post 1* — waits for the comms team's decision" in answer.text
    assert "• Post 1 — waits for the comms team's decision" in answer.args["text"]
