"""Socket Mode over a real WebSocket: a real `chatbot serve slack` with SLACK_APP_TOKEN set
connects (apps.connections.open on the Web API stand-in) to the Socket Mode stand-in of
tests/servers/slack_socket.py, which pushes envelopes for a command, a reaction and a button.

Each envelope must be acknowledged by its `envelope_id` only after it is stored; none may be
lost when the connection drops or the process is killed with SIGKILL, and none done twice when
Slack delivers it again.
"""

from __future__ import annotations

import pytest

from chatbot.adapters.slack.blocks import INCIDENT_STEP_ACTION
from tests.servers.process import eventually
from tests.servers.slack_api import COMMS_CHANNEL, COMMS_USERS, SlackAPI, click_payload
from tests.servers.slack_process import Bots
from tests.servers.slack_socket import (
    SocketModeServer,
    command_envelope,
    interactive_envelope,
    reaction_envelope,
)

POSTER, ANA = "U0POSTER", COMMS_USERS[0]
FINE = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00 in Bengaluru!"
ABUSE = "incident https://x.com/someone/status/1900000000000000002 abuse"


@pytest.fixture
def api():
    with SlackAPI() as api:
        yield api


@pytest.fixture
def socket(api):
    with SocketModeServer(api) as server:
        yield server


@pytest.fixture
def bots(api, tmp_path):
    bots = Bots(api, tmp_path)
    yield bots
    bots.stop_all()


def start(bots: Bots, socket: SocketModeServer, pause_at: str | None = None):
    # Counted before the start: the bot may connect before its /healthz answers the test.
    before = socket.connections
    serve, _ = bots.start(pause_at, socket=True)
    socket.wait_connections(before + 1)
    return serve


def submit(api: SlackAPI, bots: Bots, socket: SocketModeServer) -> str:
    """`/checkpost FINE` over the socket; the ts of its comms message, once it is recorded."""
    socket.wait_ack(socket.push(command_envelope(api, POSTER, FINE)))
    (shown,) = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    eventually(lambda: bots.comms_ref(1), what="the comms message recorded")
    return shown.answer["ts"]


def approvals_told(api: SlackAPI) -> list:
    return [c for c in api.dms_to(POSTER) if "is approved" in c.text]


def test_a_command_a_reaction_and_a_button_arrive_over_the_socket_stored_before_their_ack(
        api, bots, socket):
    start(bots, socket)
    command = command_envelope(api, POSTER, FINE)

    ack = socket.wait_ack(socket.push(command))
    assert bots.stored(f"slack:command:{command['payload']['trigger_id']}")
    assert "Checking your draft" in ack.payload["text"]
    (shown,) = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    eventually(lambda: bots.comms_ref(1), what="the comms message recorded")
    socket.wait_ack(socket.redeliver(command["envelope_id"]), count=2)

    thumbs_up = socket.push(reaction_envelope(ANA, "+1", COMMS_CHANNEL, shown.answer["ts"]))
    socket.wait_ack(thumbs_up)
    api.wait_for(lambda: approvals_told(api), what="the poster told of the approval")

    socket.wait_ack(socket.push(command_envelope(api, POSTER, ABUSE)))
    incident = api.wait_for(lambda: [c for c in api.of("chat.postMessage", channel=COMMS_CHANNEL)
                                     if "Incident 1" in c.text], what="the incident")[0]
    eventually(bots.idle, what="the incident message recorded")
    click = interactive_envelope(click_payload(api, ANA, INCIDENT_STEP_ACTION, "1:hide",
                                               channel=COMMS_CHANNEL,
                                               message_ts=incident.answer["ts"]))
    socket.wait_ack(socket.push(click))
    api.wait_for(lambda: [u for u in api.of("chat.update", ts=incident.answer["ts"])
                          if "~3. Hide the hateful comments~" in u.text], what="the tick")
    socket.wait_ack(socket.redeliver(click["envelope_id"]), count=2)
    eventually(bots.idle, what="everything handled")

    assert len(api.of("chat.postMessage", channel=COMMS_CHANNEL)) == 2  # the post, the incident
    assert bots.history(1) == ["submitted", "approve"]
    assert len(api.of("chat.update", ts=incident.answer["ts"])) == 1
    assert socket.acks_of(thumbs_up)[0].payload is None  # an event's ack carries nothing


def test_a_dropped_connection_is_opened_again_and_the_envelope_it_cut_off_is_done_once(
        api, bots, socket):
    start(bots, socket)
    ts = submit(api, bots, socket)

    thumbs_up = socket.push(reaction_envelope(ANA, "+1", COMMS_CHANNEL, ts))
    socket.drop()
    socket.wait_connections(2)
    if not socket.acks_of(thumbs_up):  # Slack delivers again what was not acknowledged
        socket.redeliver(thumbs_up)
    socket.wait_ack(thumbs_up)
    api.wait_for(lambda: approvals_told(api), what="the approval")
    status = socket.push(command_envelope(api, POSTER, "status 1"))
    eventually(bots.idle, what="everything handled")

    assert "is approved" in socket.wait_ack(status).payload["text"]
    assert socket.wait_ack(status).connection == 2
    assert len(approvals_told(api)) == 1
    assert bots.history(1) == ["submitted", "approve"]


@pytest.mark.parametrize("point", ["stored:reaction_added", "acked:reaction_added"])
def test_killed_before_or_after_the_ack_a_reaction_is_done_once_after_the_restart(
        api, bots, socket, point):
    first = start(bots, socket, pause_at=point)
    ts = submit(api, bots, socket)
    envelope = reaction_envelope(ANA, "+1", COMMS_CHANNEL, ts, event_id="Ev0SOCKETKILL")

    thumbs_up = socket.push(envelope)
    first.wait_paused()
    if point.startswith("stored"):
        assert bots.stored("slack:event:Ev0SOCKETKILL")
        assert socket.acks_of(thumbs_up) == [], "not acknowledged before it is stored"
    else:
        socket.wait_ack(thumbs_up)
    first.kill()

    start(bots, socket)
    socket.redeliver(thumbs_up)  # unacknowledged, or its ack was late: Slack sends it again
    socket.wait_ack(thumbs_up)
    api.wait_for(lambda: approvals_told(api), what="the approval after the restart")
    eventually(bots.idle, what="everything handled")

    assert len(approvals_told(api)) == 1
    assert bots.history(1) == ["submitted", "approve"]
    assert len([u for u in api.of("chat.update", ts=ts) if "Approved" in u.text]) == 1
