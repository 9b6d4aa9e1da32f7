"""What the Slack app does with the wire: forged or stale requests, Slack's retries and
duplicates, the Web API's rate limits and errors, restarts, and its start-up checks.

Same set-up as test_slack_flow.py: the real app on 127.0.0.1, the Web API server of
tests/servers/slack_api.py. `bot.wait_idle()` waits until every acknowledged request has
been worked on, so "nothing more happened" is asserted after the work, not after a sleep.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from chatbot.adapters.slack.http import HttpServer, routes
from chatbot.adapters.slack.listeners import SORRY
from chatbot.adapters.slack.serving import require
from chatbot.cli import main
from chatbot.config import ConfigError
from tests.servers.process import eventually
from tests.servers.slack_api import (
    COMMS_CHANNEL,
    SIGNING_SECRET,
    TOKEN,
    RunningBot,
    SlackAPI,
    bot_settings,
    dm_channel,
    sign,
)

POSTER, ANA, OUTSIDER = "U0POSTER", "U0ANA", "U0OUTSIDER"
FINE = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00 in Bengaluru!"
LIVE = "https://x.com/cisa2k/status/1800000000000000001"
POLICY_DIR = Path(__file__).resolve().parent.parent / "policies"


@pytest.fixture
def api():
    with SlackAPI() as api:
        yield api


@pytest.fixture
def start(api, tmp_path, policy):
    """`start(**env)` runs a bot on this test's database file; each is stopped at the end."""
    bots: list[RunningBot] = []

    def run(**env: str) -> RunningBot:
        bot = RunningBot(bot_settings(api, str(tmp_path / "checkpost.db"), **env), api,
                         policy=policy)
        bots.append(bot)
        return bot

    yield run
    for bot in bots:
        bot.stop()


@pytest.fixture
def running(start):
    return start()


def comms_message(api, running, text=FINE):
    """`/checkpost text`, once its findings are sent and comms have the message (in that
    order: the findings do not wait for the comms message); returns the comms message."""
    running.slack.command(POSTER, text)
    api.wait_for(lambda: api.dms_to(POSTER), what="the findings DM")
    (shown,) = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    assert running.bot.wait_idle()  # and the workflow knows which message shows the post
    return shown


def everything_sent(api) -> str:
    return "\n".join(json.dumps(c.args) for c in api.calls)


# --- signatures ------------------------------------------------------------------------------


def test_a_bad_signature_is_refused_and_changes_nothing(api, running):
    body = "command=%2Fcheckpost&user_id=U0POSTER&text=" + FINE.replace(" ", "+")

    forged = running.slack.send(body, "application/x-www-form-urlencoded",
                                signature="v0=" + "0" * 64)
    wrong_secret = running.slack.send(body, "application/x-www-form-urlencoded",
                                      signature=sign("not-the-secret", str(int(time.time())),
                                                     body))

    assert (forged.status, wrong_secret.status) == (401, 401)
    running.bot.wait_idle()
    assert [c.method for c in api.calls] == ["auth.test"]
    assert running.bot.workflow.post(1) is None


def test_a_timestamp_older_than_five_minutes_is_refused_even_when_signed(api, running):
    body = "command=%2Fcheckpost&user_id=U0POSTER&text=hello"
    stale = int(time.time()) - 6 * 60

    reply = running.slack.send(body, "application/x-www-form-urlencoded", timestamp=stale,
                               signature=sign(SIGNING_SECRET, str(stale), body))

    assert reply.status == 401
    running.bot.wait_idle()
    assert [c.method for c in api.calls] == ["auth.test"]


def test_the_events_url_answers_slacks_challenge(running):
    reply = running.slack.send(json.dumps({"type": "url_verification", "challenge": "c-123",
                                           "token": "legacy"}), "application/json")

    assert reply.status == 200 and "c-123" in reply.body


# --- retries and duplicates ------------------------------------------------------------------


def test_a_retried_reaction_event_changes_nothing_and_tells_no_one_twice(api, running):
    message = comms_message(api, running)
    ts = message.answer["ts"]
    slack = running.slack

    first = slack.reaction(ANA, "+1", COMMS_CHANNEL, ts, event_id="Ev0APPROVE")
    retries = [slack.reaction(ANA, "+1", COMMS_CHANNEL, ts, event_id="Ev0APPROVE", retry=n)
               for n in (1, 2)]
    slack.reaction(OUTSIDER, "+1", COMMS_CHANNEL, ts, event_id="Ev0OUTSIDER")
    slack.reaction(OUTSIDER, "+1", COMMS_CHANNEL, ts, event_id="Ev0OUTSIDER", retry=1)
    assert running.bot.wait_idle()

    assert [r.status for r in [first, *retries]] == [200, 200, 200]
    assert len(api.of("chat.update", ts=ts)) == 1
    assert len([c for c in api.dms_to(POSTER) if "is approved" in c.text]) == 1
    assert len(api.of("chat.postEphemeral", user=OUTSIDER)) == 1
    actions = [e.action for e in running.bot.workflow.history(1)]
    assert actions == ["submitted", "approve"]


def test_a_slash_command_delivered_twice_makes_one_post(api, running):
    running.slack.command(POSTER, FINE, trigger_id="trigger-once")
    running.slack.command(POSTER, FINE, trigger_id="trigger-once")
    assert running.bot.wait_idle()

    assert len(api.of("chat.postMessage", channel=COMMS_CHANNEL)) == 1
    assert len(api.dms_to(POSTER)) == 1
    assert running.bot.workflow.post(2) is None


# --- the Web API's limits and faults ---------------------------------------------------------


def test_a_429_from_the_web_api_is_waited_out_not_dropped(api, running):
    api.rate_limit("chat.postMessage", times=1, retry_after=1)

    reply = running.slack.command(POSTER, FINE)

    assert reply.status == 200 and reply.elapsed < 1.0  # the ack does not wait for Slack
    (findings,) = api.wait_calls("chat.postMessage", channel=dm_channel(POSTER))
    api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    limited, delivered = api.attempts("chat.postMessage")[:2]
    assert limited.status == 429 and limited.args["channel"] == dm_channel(POSTER)
    assert delivered is findings and delivered.at - limited.at >= 1.0


def test_an_unreachable_comms_channel_still_gives_the_poster_the_findings(api, running):
    api.fail("chat.postMessage", "not_in_channel", channel=COMMS_CHANNEL)

    running.slack.command(POSTER, FINE)

    findings, unreachable = api.wait_calls("chat.postMessage", 2, channel=dm_channel(POSTER))
    assert "Post 1" in findings.text and "PASS" in findings.text
    assert "Post 1" in unreachable.text
    assert "comms channel could not be reached" in unreachable.text
    assert "Traceback" not in everything_sent(api) and TOKEN not in everything_sent(api)


def test_a_fault_after_the_ack_gets_an_apology_without_a_trace_or_token(api, running):
    api.fail("views.open", "expired_trigger_id")

    running.slack.command(POSTER, "")

    (answer,) = api.wait_calls("response_url")
    assert answer.args["text"] == SORRY
    sent = everything_sent(api)
    assert "Traceback" not in sent and "expired_trigger_id" not in answer.args["text"]
    assert TOKEN not in sent


# --- restarts --------------------------------------------------------------------------------


def test_a_restart_between_approval_and_reminders_loses_and_repeats_nothing(api, start):
    first = start(CHECKPOST_REMINDERS="1s,2s")
    message = comms_message(api, first)
    ts = message.answer["ts"]
    first.slack.reaction(ANA, "+1", COMMS_CHANNEL, ts, event_id="Ev0BEFORE")
    api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "is approved" in c.text])
    first.stop()

    second = start(CHECKPOST_REMINDERS="1s,2s")
    second.slack.reaction(ANA, "+1", COMMS_CHANNEL, ts, event_id="Ev0BEFORE", retry=1)
    second.slack.command(POSTER, f"published 1 {LIVE}")

    api.wait_for(lambda: [u for u in api.of("chat.update", ts=ts) if "Published" in u.text])
    reminders = api.wait_for(lambda: (found := [c for c in api.dms_to(POSTER) if LIVE in c.text
                                                and "metrics" in c.text.lower()])
                             and len(found) >= 2 and found)
    second.bot.scheduler.run_due()  # nothing is left to send
    assert second.bot.wait_idle()
    # a reminder is marked sent (and audited) just after Slack accepted it
    eventually(lambda: second.bot.workflow.history(1)[-1].action == "reminder-sent"
               and len(second.bot.workflow.history(1)) == 5, what="both reminders marked sent")
    assert len(reminders) == 2
    assert len([c for c in api.dms_to(POSTER) if "is approved" in c.text]) == 1
    assert [e.action for e in second.bot.workflow.history(1)] == [
        "submitted", "approve", "published", "reminder-sent", "reminder-sent"]


def test_reminders_stored_before_a_restart_are_sent_once_by_the_new_process(api, start):
    first = start(CHECKPOST_REMINDERS="2s,3s")
    comms_message(api, first)
    first.slack.command(POSTER, f"published 1 {LIVE}")
    api.wait_calls("response_url")
    first.stop()
    assert not [c for c in api.dms_to(POSTER) if LIVE in c.text]

    second = start(CHECKPOST_REMINDERS="2s,3s")

    reminders = api.wait_for(lambda: (found := [c for c in api.dms_to(POSTER) if LIVE in c.text])
                             and len(found) >= 2 and found)
    assert len(reminders) == 2
    assert second.bot.scheduler.run_due() == []


def test_a_post_the_comms_channel_never_got_is_shown_there_after_a_restart(api, start):
    first = start()
    api.fail("chat.postMessage", "not_in_channel", channel=COMMS_CHANNEL)  # refused, once
    first.slack.command(POSTER, FINE)
    api.wait_for(lambda: api.dms_to(POSTER), what="the findings DM")
    assert first.bot.wait_idle()
    first.stop()
    assert not [c for c in api.of("chat.postMessage", channel=COMMS_CHANNEL) if c.status == 200
                and c.answer.get("ok")]

    second = start()

    (shown,) = api.wait_for(lambda: [c for c in api.of("chat.postMessage", channel=COMMS_CHANNEL)
                                     if c.answer.get("ok")], what="the post in #comms")
    assert "Kannada Wikipedia edit-a-thon" in shown.text
    assert second.bot.wait_idle()  # the start-up routing has stored where the post went
    assert second.bot.workflow.post(1).current.comms_ref is not None


# --- serving ---------------------------------------------------------------------------------


def test_healthz_answers_and_only_the_events_path_reaches_bolt(running):
    base = running.server.url

    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert (response.status, response.read()) == (200, b"ok\n")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "/elsewhere", timeout=5)
    assert missing.value.code == 404


def test_in_socket_mode_the_http_port_serves_only_healthz():
    server = HttpServer(routes(None, lambda: True), host="127.0.0.1", port=0)
    server.start()
    try:
        request = urllib.request.Request(server.url + "/slack/events", data=b"{}",
                                         method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 404
    finally:
        server.stop()


def test_serve_names_each_missing_setting(api, tmp_path):
    settings = bot_settings(api, str(tmp_path / "c.db"), SLACK_BOT_TOKEN="",
                            SLACK_SIGNING_SECRET="", CHECKPOST_SLACK_COMMS_CHANNEL="")

    with pytest.raises(ConfigError) as refused:
        require(settings, socket_mode=False)

    message = str(refused.value)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "CHECKPOST_SLACK_COMMS_CHANNEL"):
        assert name in message
    require(bot_settings(api, str(tmp_path / "c.db"), SLACK_SIGNING_SECRET="",
                         SLACK_APP_TOKEN="xapp-1"), socket_mode=True)


def test_chatbot_serve_slack_exits_2_when_slack_refuses_the_token(api, tmp_path, monkeypatch,
                                                                 capsys):
    monkeypatch.chdir(tmp_path)
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_SIGNING_SECRET": "s",
                        "CHECKPOST_SLACK_API_URL": api.url,
                        "CHECKPOST_SLACK_COMMS_CHANNEL": COMMS_CHANNEL,
                        "CHECKPOST_POLICY_DIR": str(POLICY_DIR),
                        "CHECKPOST_DB": str(tmp_path / "c.db")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)

    assert main(["serve", "slack"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "xoxb-revoked" not in err and "Traceback" not in err


def test_chatbot_serve_slack_in_socket_mode_exits_2_when_slack_refuses_the_app_token(
        api, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, value in {"SLACK_BOT_TOKEN": TOKEN, "SLACK_APP_TOKEN": "xapp-revoked",
                        "CHECKPOST_SLACK_API_URL": api.url, "PORT": str(free_port()),
                        "CHECKPOST_SLACK_COMMS_CHANNEL": COMMS_CHANNEL,
                        "CHECKPOST_POLICY_DIR": str(POLICY_DIR),
                        "CHECKPOST_DB": str(tmp_path / "c.db")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)

    assert main(["serve", "slack"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_APP_TOKEN" in err and "xapp-revoked" not in err and "Traceback" not in err
    assert [c.method for c in api.attempts("apps.connections.open")] == ["apps.connections.open"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
