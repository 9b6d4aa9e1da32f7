"""A real `chatbot serve slack` killed with SIGKILL at the worst moments, then started again:
nothing acknowledged is lost, nothing is done twice, reminders arrive once.

Each bot is a child process (tests/servers/process.py) on this test's database, speaking
signed HTTP with the Web API stand-in of tests/servers/slack_api.py. `CHECKPOST_TEST_PAUSE_AT`
makes it block at one named point of the request's life (chatbot/pause.py) and say so with a
file; the test waits for the file and kills the process there. The points:

- `stored`: the request is in the inbox, its 200 has not left (Slack will send it again)
- `acked`: the 200 has left, the work has not begun
- `applied`: the work is written, its transaction (which marks the entry done) not committed
- `committed`: committed; the messages it makes (jobs) not sent
- `claimed`, `sent`: a reminder claimed and not sent; a message sent (a reminder, the comms
  message, the poster's findings) and not yet marked so: Slack has no transaction ids, so the
  restarted bot finds the message by the key in its metadata and does not send it again
"""

from __future__ import annotations

import threading

import pytest

from tests.servers.process import eventually
from tests.servers.slack_api import COMMS_CHANNEL, COMMS_USERS, SlackAPI, SlackSide, dm_channel
from tests.servers.slack_process import Bots

POSTER, ANA = "U0POSTER", COMMS_USERS[0]
FINE = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00 in Bengaluru!"
LIVE = "https://x.com/cisa2k/status/1800000000000000001"


@pytest.fixture
def api():
    with SlackAPI() as api:
        yield api


@pytest.fixture
def bots(api, tmp_path):
    bots = Bots(api, tmp_path)
    yield bots
    bots.stop_all()


def submitted(api: SlackAPI, bots: Bots, slack: SlackSide) -> str:
    """`/checkpost FINE`, handled: returns the ts of its comms message, once it is recorded."""
    assert slack.command(POSTER, FINE).status == 200
    (shown,) = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    eventually(lambda: bots.comms_ref(1), what="the comms message recorded")
    return shown.answer["ts"]


def approvals_told(api: SlackAPI) -> list:
    return [c for c in api.dms_to(POSTER) if "is approved" in c.text]


@pytest.mark.parametrize("point", ["stored:reaction_added", "acked:reaction_added",
                                   "applied:approve", "committed:approve"])
def test_a_thumbs_up_killed_at_any_point_approves_once_after_a_restart(api, bots, point):
    """Killed before the 200 (`stored`), Slack sends the event again; after it, only the
    inbox has it. Either way: approved once, the poster told once, a late retry ignored."""
    first, slack = bots.start(pause_at=point)
    ts = submitted(api, bots, slack)

    answered = []
    sender = threading.Thread(target=lambda: answered.append(
        _send(lambda: slack.reaction(ANA, "+1", COMMS_CHANNEL, ts, event_id="Ev0KILLED"))))
    sender.start()
    first.wait_paused()
    if not point.startswith("stored"):
        sender.join(10)
        assert answered and answered[0] == 200, "acknowledged before it was killed"
    first.kill()
    sender.join(10)

    _, slack = bots.start()
    api.wait_for(lambda: approvals_told(api), what="the approval, with no help from Slack")
    eventually(bots.idle, what="the restarted bot to finish what was acknowledged")
    retried = slack.reaction(ANA, "+1", COMMS_CHANNEL, ts, event_id="Ev0KILLED", retry=1)
    marker = slack.command(POSTER, "status 1")  # answered in the ack: the retry is in by now
    eventually(bots.idle, what="the retry handled")

    assert retried.status == 200 and "approved" in marker.body
    assert len(approvals_told(api)) == 1
    assert bots.history(1) == ["submitted", "approve"]
    assert len([u for u in api.of("chat.update", ts=ts) if "Approved" in u.text]) == 1


def test_a_draft_and_a_publication_killed_midway_are_done_once_and_remind_once(api, bots):
    first, slack = bots.start(pause_at="acked:command", CHECKPOST_REMINDERS="1s,2s")
    reply = slack.command(POSTER, FINE)
    assert reply.status == 200 and "Checking your draft" in reply.body
    first.wait_paused()
    first.kill()
    assert api.dms_to(POSTER) == [], "killed before the work"

    second, slack = bots.start(pause_at="committed:publish", CHECKPOST_REMINDERS="1s,2s")
    api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    eventually(bots.idle, what="the draft handled after the restart")
    slack.command(POSTER, f"published 1 {LIVE}")
    second.wait_paused()
    second.kill()

    bots.start(CHECKPOST_REMINDERS="1s,2s")
    reminders = api.wait_for(lambda: (found := [c for c in api.dms_to(POSTER)
                                                if LIVE in c.text]) and len(found) >= 2 and found,
                             what="both reminders")
    eventually(bots.idle, what="everything sent")
    eventually(lambda: bots.history(1).count("reminder-sent") == 2,
               what="both reminders marked sent")  # just after Slack accepted each

    assert len(reminders) == 2
    shown, alert = api.of("chat.postMessage", channel=COMMS_CHANNEL)
    assert "for approval" in shown.text and "without approval" in alert.text
    assert len([c for c in api.dms_to(POSTER) if "PASS" in c.text]) == 1
    assert bots.history(1) == ["submitted", "published", "reminder-sent", "reminder-sent"]
    assert len([u for u in api.of("chat.update") if "Published" in u.text]) == 1
    assert len(api.of("chat.postMessage", channel=dm_channel(POSTER))) == 3


@pytest.mark.parametrize("point", ["sent:show-post", "sent:tell-findings"])
def test_a_message_sent_just_before_the_kill_is_not_sent_again(api, bots, point):
    """Killed after chat.postMessage returned and before the job was marked done: the
    restarted bot looks for the message's key in the channel and keeps the one copy."""
    first, slack = bots.start(pause_at=point)
    assert slack.command(POSTER, FINE).status == 200
    first.wait_paused()
    first.kill()
    before = api.of("chat.postMessage", channel=COMMS_CHANNEL)  # the findings go out first
    assert len([c for c in api.dms_to(POSTER) if "PASS" in c.text]) == 1

    bots.start()
    eventually(bots.idle, what="the restarted bot to finish the draft's messages")
    eventually(lambda: bots.comms_ref(1), what="the comms message recorded")

    (shown,) = api.of("chat.postMessage", channel=COMMS_CHANNEL)
    assert before in ([], [shown])
    assert bots.comms_ref(1) == f"{COMMS_CHANNEL}/{shown.answer['ts']}"
    assert len([c for c in api.dms_to(POSTER) if "PASS" in c.text]) == 1
    assert api.of("conversations.history"), "the restarted bot looked before sending again"


def test_without_the_history_scope_a_message_is_sent_again_rather_than_lost(api, bots):
    first, slack = bots.start(pause_at="sent:show-post")
    assert slack.command(POSTER, FINE).status == 200
    first.wait_paused()
    first.kill()
    api.fail("conversations.history", "missing_scope", times=5)

    second, _ = bots.start()
    eventually(bots.idle, what="the restarted bot to finish the draft's messages")

    _first_copy, second_copy = api.of("chat.postMessage", channel=COMMS_CHANNEL)
    assert bots.comms_ref(1) == f"{COMMS_CHANNEL}/{second_copy.answer['ts']}"
    second.wait_log("missing_scope")


@pytest.mark.parametrize("point", ["claimed:reminder", "sent:reminder"])
def test_a_reminder_killed_as_it_is_sent_arrives_once(api, bots, point):
    """Claimed and not sent: the restart sends it (it used to be lost). Sent and not marked:
    the restart finds it in the direct chat and sends nothing."""
    first, slack = bots.start(pause_at=point, CHECKPOST_REMINDERS="0s")
    submitted(api, bots, slack)
    slack.command(POSTER, f"published 1 {LIVE}")
    first.wait_paused()
    first.kill()
    sent_before = len([c for c in api.dms_to(POSTER) if "is up" in c.text])
    assert sent_before == (1 if point.startswith("sent") else 0)

    bots.start(CHECKPOST_REMINDERS="0s")
    api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "is up" in c.text],
                 what="the reminder")
    eventually(lambda: bots.history(1)[-1:] == ["reminder-sent"], what="the reminder marked")
    eventually(bots.idle, what="everything sent")

    assert len([c for c in api.dms_to(POSTER) if "is up" in c.text]) == 1
    assert bots.history(1).count("reminder-sent") == 1


def _send(request) -> int:
    try:
        return request().status
    except OSError:
        return 0  # the connection died with the process
