"""The Slack app end to end: `/checkpost`, the comms channel's reactions and buttons, publishing,
reminders and metrics.

Everything is real but Slack: the Bolt app behind waitress on 127.0.0.1, the workflow on a
temporary database, the reminder thread. Slack's side is `tests/servers/slack_api.py`: signed
requests in, and a Web API server that records what the app sends out. Tests wait on those
recordings with a timeout; none sleeps to synchronise.
"""

from __future__ import annotations

import json

import pytest

from chatbot.adapters.slack.blocks import APPROVE_ACTION, CHANGES_ACTION, INCIDENT_STEP_ACTION
from tests.servers.slack_api import (
    COMMS_CHANNEL,
    Call,
    RunningBot,
    SlackAPI,
    bot_settings,
    dm_channel,
)

POSTER, ANA, BEN, OUTSIDER = "U0POSTER", "U0ANA", "U0BEN", "U0OUTSIDER"
FINE = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00 in Bengaluru!"
PLUG = "Our trainers love the ZenTab 12: use code WIKI15 for 15% off!"
LIVE = "https://x.com/cisa2k/status/1800000000000000001"


NAMES = {POSTER: "Ravi Hegde", ANA: "Ana Rao", BEN: "Ben Thomas"}


@pytest.fixture
def api():
    with SlackAPI() as api:
        api.display_names.update(NAMES)
        yield api


@pytest.fixture
def running(api, tmp_path, policy):
    bot = RunningBot(bot_settings(api, str(tmp_path / "checkpost.db"),
                                  CHECKPOST_REMINDERS="1s,2s"), api, policy=policy)
    yield bot
    bot.stop()


@pytest.fixture
def slack(running):
    return running.slack


def submitted(api: SlackAPI, slack, text: str = FINE, user: str = POSTER) -> Call:
    """Send `/checkpost text` and return the comms message it became, once the poster has
    been told and the workflow has recorded which message shows the post."""
    before = len(api.of("chat.postMessage", channel=COMMS_CHANNEL))
    told = len(api.dms_to(user))
    assert slack.command(user, text).status == 200
    api.wait_for(lambda: len(api.dms_to(user)) > told, what="the findings DM")
    shown = api.wait_calls("chat.postMessage", before + 1, channel=COMMS_CHANNEL)[before]
    assert slack.settle()
    return shown


def updates_of(api: SlackAPI, message: Call) -> list[Call]:
    return api.of("chat.update", channel=COMMS_CHANNEL, ts=message.answer["ts"])


# --- checking and submitting -----------------------------------------------------------------


def test_checkpost_acks_at_once_and_dms_the_findings_with_the_post_number(api, slack):
    reply = slack.command(POSTER, PLUG)

    assert reply.status == 200
    assert "Checking your draft" in reply.body
    (findings,) = api.wait_calls("chat.postMessage", channel=dm_channel(POSTER))
    assert api.of("conversations.open", users=POSTER)
    text = findings.text
    assert "Post 1" in text and "needs changes" in text.lower()
    assert "*error*" in text and "`product-endorsement`" in text
    assert "Policy: “Do not endorse any products" in text or "Do not endorse" in text
    assert "<https://meta.wikimedia.org/wiki/CIS-A2K/Media_Strategy/Best_Practices|" in text
    assert "LLM tone review: did not run" in text
    assert f"<#{COMMS_CHANNEL}>" in text  # where it went for approval
    assert "/checkpost revise 1" in text


@pytest.mark.parametrize("draft", [
    "Help us proofread Kannada Wikisource this weekend: every page counts!",
    "Status update: 40 volunteers joined the Marathi edit-a-thon today.",
    "Approve your own uploads? Ask a mentor to review them first.",
])
def test_a_draft_that_starts_with_a_command_word_is_checked_and_submitted(api, slack, draft):
    reply = slack.command(POSTER, draft)

    assert "Checking your draft" in reply.body
    (message,) = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    assert draft in message.text


def test_words_that_begin_like_a_command_are_a_draft_and_the_poster_is_told_why(api, slack):
    reply = slack.command(POSTER, "Published 3 new Kannada Wikisource books this week!")

    assert "Checking your draft" in reply.body
    assert "read as a draft" in reply.body and "published N URL" in reply.body
    (message,) = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    assert "Published 3 new Kannada Wikisource books" in message.text


def test_the_comms_channel_sees_the_draft_with_poster_account_media_and_context(api, slack):
    slack.command(POSTER, '--personal --media "Own photo by Ravi; CC0" --context "Kannada '
                          'Rajyotsava" Happy Rajyotsava from our Bengaluru meetup!')

    (message,) = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    text = message.text
    assert f"<@{POSTER}>" in text
    assert "personal" in text
    assert "Own photo by Ravi — CC0" in text
    assert "Kannada Rajyotsava" in text
    assert "Happy Rajyotsava from our Bengaluru meetup!" in text
    actions = [b for b in message.args["blocks"] if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == [APPROVE_ACTION, CHANGES_ACTION]


def test_checkpost_with_no_text_opens_the_modal_whose_submission_submits(api, slack):
    slack.command(POSTER, "")
    (opened,) = api.wait_calls("views.open")
    view = opened.answer["view"]
    assert {b["block_id"] for b in view["blocks"]} == {"draft", "account", "network", "media",
                                                        "context"}

    reply = slack.submit(POSTER, view, {"draft": FINE, "account": {"selected": "personal"},
                                        "media": "Own photo; CC0\nCommons scan; public domain",
                                        "context": "Edit-a-thon week"})

    assert reply.status == 200 and reply.body == ""  # the modal closes
    (message,) = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)
    assert "personal" in message.text and "Own photo — CC0" in message.text
    assert "Commons scan — public domain" in message.text and "Edit-a-thon week" in message.text
    (findings,) = api.wait_calls("chat.postMessage", channel=dm_channel(POSTER))
    assert "Post 1: passes" in findings.text


def test_the_modal_network_checks_the_drafts_length_and_is_kept_with_the_version(api, running):
    running.slack.command(POSTER, "")
    (opened,) = api.wait_calls("views.open")
    network = next(b for b in opened.answer["view"]["blocks"] if b["block_id"] == "network")
    assert [o["value"] for o in network["element"]["options"]] == [
        "x", "mastodon", "bluesky", "facebook", "instagram", "linkedin"]
    long = FINE + " " + "Bring a laptop and a friend who reads Kannada. " * 6

    running.slack.submit(POSTER, opened.answer["view"], {"draft": long,
                                                         "account": {"selected": "official"},
                                                         "network": {"selected": "x"}})

    (findings,) = api.wait_calls("chat.postMessage", channel=dm_channel(POSTER))
    assert f"{len(long)} of 280 characters" in findings.text
    assert running.bot.workflow.post(1).current.draft.network == "x"


def test_an_empty_modal_draft_is_refused_inside_the_modal(api, slack):
    slack.command(POSTER, "")
    view = api.wait_calls("views.open")[0].answer["view"]

    reply = slack.submit(POSTER, view, {"draft": "   ", "account": {"selected": "official"}})

    assert reply.json()["response_action"] == "errors"
    assert "draft" in reply.json()["errors"]


def test_message_shortcut_opens_the_check_modal_with_the_message_text(api, slack):
    slack.shortcut(POSTER, "Tomorrow: <https://kn.wikipedia.org|kn.wikipedia.org> "
                           "edit-a-thon &amp; tea")

    (opened,) = api.wait_calls("views.open")
    draft = next(b for b in opened.args["view"]["blocks"] if b["block_id"] == "draft")
    assert draft["element"]["initial_value"] == "Tomorrow: kn.wikipedia.org edit-a-thon & tea"


def test_revise_resets_the_votes_and_supersedes_the_old_message(api, slack):
    first = submitted(api, slack)
    slack.reaction(ANA, "+1", COMMS_CHANNEL, first.answer["ts"])
    api.wait_for(lambda: updates_of(api, first), what="the approval")

    slack.command(POSTER, f"revise 1 {FINE} See you there.")

    second = api.wait_calls("chat.postMessage", 2, channel=COMMS_CHANNEL)[-1]
    assert "Post 1, version 2" in second.text
    superseded = api.wait_for(lambda: [u for u in updates_of(api, first)
                                       if "Superseded by version 2" in u.text])
    assert not [b for b in superseded[-1].args["blocks"] if b["type"] == "actions"]


def test_the_comms_message_of_a_revision_shows_what_changed_since_the_version_comms_saw(
        api, slack):
    first = submitted(api, slack, PLUG)
    assert "product-endorsement" in first.text

    slack.command(POSTER, f"revise 1 {FINE}")

    second = api.wait_calls("chat.postMessage", 2, channel=COMMS_CHANNEL)[-1]
    assert "Post 1, version 2" in second.text
    blocks = second.args["blocks"]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    quotes = [b["elements"][0]["elements"] for b in blocks if b["type"] == "rich_text"]
    assert len(quotes) == 2  # the new draft, whole; then the diff against version 1
    struck = [e["text"] for e in quotes[1] if e.get("style") == {"strike": True}]
    put_in = [e["text"] for e in quotes[1] if e.get("style") == {"bold": True}]
    assert struck == [PLUG] and put_in == [FINE]
    assert "What changed since version 1" in second.text
    assert "*Findings gone:* :no_entry: `product-endorsement` (error)" in second.text


# --- deciding --------------------------------------------------------------------------------


def test_comms_thumbs_up_with_a_skin_tone_approves_and_the_poster_is_told(api, slack):
    message = submitted(api, slack)

    assert slack.reaction(ANA, "+1::skin-tone-3", COMMS_CHANNEL, message.answer["ts"]).status \
        == 200

    (update,) = api.wait_for(lambda: updates_of(api, message), what="chat.update")
    assert "Approved" in update.text and f"approved by <@{ANA}>" in update.text
    told = api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "is approved" in c.text])
    assert f"<@{ANA}>" in told[0].text
    assert "/checkpost published 1 URL" in told[0].text


def test_thumbsdown_asks_for_changes_and_removing_it_takes_the_request_back(api, slack):
    message = submitted(api, slack)
    ts = message.answer["ts"]

    slack.reaction(BEN, "thumbsdown", COMMS_CHANNEL, ts)
    api.wait_for(lambda: [u for u in updates_of(api, message) if "Changes requested" in u.text])
    api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "Changes are requested" in c.text])
    slack.reaction(BEN, "thumbsdown", COMMS_CHANNEL, ts, removed=True)

    back = api.wait_for(lambda: [u for u in updates_of(api, message)
                                 if "Waiting for approval" in u.text])
    assert "changes requested by" not in back[-1].text


def test_a_comms_members_thumbs_up_on_their_own_post_changes_nothing_and_is_explained(
        api, slack):
    message = submitted(api, slack, user=ANA)

    slack.reaction(ANA, "+1", COMMS_CHANNEL, message.answer["ts"])

    (whisper,) = api.wait_calls("chat.postEphemeral", user=ANA)
    assert whisper.args["thread_ts"] == message.answer["ts"]
    assert "You submitted post 1" in whisper.text
    assert updates_of(api, message) == []


def test_the_posters_thumbs_up_changes_nothing_and_is_explained_in_thread(api, slack):
    message = submitted(api, slack)

    slack.reaction(POSTER, "+1", COMMS_CHANNEL, message.answer["ts"])

    (whisper,) = api.wait_calls("chat.postEphemeral", user=POSTER)
    assert whisper.args["thread_ts"] == message.answer["ts"]
    assert "nothing changed on post 1" in whisper.text
    assert updates_of(api, message) == []


def test_an_outsiders_thumbs_up_changes_nothing_and_is_explained_to_them_alone(api, slack,
                                                                                running):
    message = submitted(api, slack)

    slack.reaction(OUTSIDER, "thumbsup", COMMS_CHANNEL, message.answer["ts"])

    (whisper,) = api.wait_calls("chat.postEphemeral", user=OUTSIDER)
    assert "not on its list" in whisper.text
    assert updates_of(api, message) == []
    assert running.bot.workflow.post(1).votes == ()


def test_other_reactions_and_reactions_on_other_messages_are_ignored(api, slack, running):
    message = submitted(api, slack)
    slack.reaction(ANA, "tada", COMMS_CHANNEL, message.answer["ts"])
    slack.reaction(ANA, "+1", COMMS_CHANNEL, "1690000000.000001")
    slack.reaction(OUTSIDER, "+1", COMMS_CHANNEL, message.answer["ts"])  # a marker, answered

    api.wait_calls("chat.postEphemeral", user=OUTSIDER)
    assert api.of("chat.postEphemeral", user=ANA) == []
    assert running.bot.workflow.post(1).votes == ()


def test_thumbs_up_on_a_post_with_errors_points_to_the_approve_button(api, slack):
    message = submitted(api, slack, PLUG)

    slack.reaction(ANA, "+1", COMMS_CHANNEL, message.answer["ts"])

    (whisper,) = api.wait_calls("chat.postEphemeral", user=ANA)
    assert "override reason" in whisper.text and "Approve button" in whisper.text


def test_approve_button_asks_for_the_override_reason_and_records_it(api, slack):
    message = submitted(api, slack, PLUG)
    ts = message.answer["ts"]

    slack.click(ANA, APPROVE_ACTION, "1:1", channel=COMMS_CHANNEL, message_ts=ts)
    view = api.wait_calls("views.open")[0].answer["view"]
    assert "override" in {b.get("block_id") for b in view["blocks"]}
    blank = slack.submit(ANA, view, {"override": "  ", "comment": ""})
    assert blank.json()["response_action"] == "errors" and "override" in blank.json()["errors"]
    done = slack.submit(ANA, view, {"override": "ZenTab sponsored the venue; the partner "
                                                "agreement allows this mention",
                                    "comment": ""})

    assert done.status == 200 and done.body == ""
    update = api.wait_for(lambda: [u for u in updates_of(api, message) if "Approved" in u.text])
    assert "override: ZenTab sponsored the venue" in update[-1].text
    api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "is approved" in c.text])


def test_request_changes_button_needs_a_comment_and_the_poster_reads_it(api, slack):
    message = submitted(api, slack)
    slack.click(BEN, CHANGES_ACTION, "1:1", channel=COMMS_CHANNEL,
                message_ts=message.answer["ts"])
    view = api.wait_calls("views.open")[0].answer["view"]

    assert slack.submit(BEN, view, {"comment": ""}).json()["response_action"] == "errors"
    slack.submit(BEN, view, {"comment": "Add the venue's address & the time zone"})

    told = api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "Changes are requested"
                                 in c.text])
    assert "the venue's address &amp; the time zone" in told[0].text


def test_outsider_clicking_approve_is_refused_without_a_modal(api, slack):
    message = submitted(api, slack)

    slack.click(OUTSIDER, APPROVE_ACTION, "1:1", channel=COMMS_CHANNEL,
                message_ts=message.answer["ts"])

    (whisper,) = api.wait_calls("chat.postEphemeral", user=OUTSIDER)
    assert "not on its list" in whisper.text
    assert api.of("views.open") == []


def test_comms_can_decide_with_the_command_too(api, slack):
    message = submitted(api, slack)

    slack.command(BEN, "approve 1 looks good")

    (answer,) = api.wait_calls("response_url")
    assert "Post 1 is approved" in answer.args["text"]
    assert answer.args["response_type"] == "ephemeral"
    api.wait_for(lambda: updates_of(api, message))


# --- after approval --------------------------------------------------------------------------


def test_publish_starts_reminders_that_arrive_as_dms_with_the_link(api, slack):
    message = submitted(api, slack)
    slack.reaction(ANA, "+1", COMMS_CHANNEL, message.answer["ts"])
    api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "is approved" in c.text])

    slack.command(POSTER, f"published 1 {LIVE}")

    (answer,) = api.wait_calls("response_url")
    assert "marked published" in answer.args["text"] and "in 1 second" in answer.args["text"]
    api.wait_for(lambda: [u for u in updates_of(api, message) if "Published" in u.text])
    reminders = api.wait_for(lambda: (found := [c for c in api.dms_to(POSTER)
                                                if "Post 1 is up" in c.text
                                                or "Reminder 2 of 2" in c.text])
                             and len(found) >= 2 and found)
    assert all(LIVE in r.text for r in reminders)
    assert "/checkpost metrics 1 likes=" in reminders[1].text
    buttons = [e for r in reminders for b in r.args["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert [b["url"] for b in buttons] == [LIVE, LIVE]


def test_metrics_are_recorded_and_a_bad_line_gets_a_short_answer(api, slack, running):
    submitted(api, slack)
    slack.command(POSTER, f"published 1 {LIVE}")
    api.wait_calls("response_url")

    slack.command(POSTER, "metrics 1 likes=12 reposts=3 replies=4 a friendly thread")
    slack.command(POSTER, "metrics 1 likes=lots")

    # the two commands run concurrently, so their answers may come back in either order
    answers = api.wait_calls("response_url", 3)[1:]
    (good,) = [a for a in answers if "recorded" in a.args["text"]]
    (bad,) = [a for a in answers if a is not good]
    assert "Metrics for post 1 recorded" in good.args["text"]
    assert "likes" in bad.args["text"] and "Traceback" not in bad.args["text"]
    assert len(bad.args["text"]) < 400
    history = [e.action for e in running.bot.workflow.history(1)]
    assert history.count("metrics") == 1


def test_a_major_reaction_in_the_metrics_alerts_the_comms_channel(api, slack):
    submitted(api, slack)
    slack.command(POSTER, f"published 1 {LIVE}")
    api.wait_calls("response_url")

    slack.command(POSTER, "metrics 1 likes=2 major: an angry thread under the post")

    alert = api.wait_calls("chat.postMessage", 3, channel=COMMS_CHANNEL)[-1]
    assert "Major reaction on post 1" in alert.text


# --- people by name --------------------------------------------------------------------------


def test_messages_name_people_by_display_name_and_mention_them_by_id(api, slack):
    message = submitted(api, slack)
    assert message.args["text"].startswith("Post 1 (version 1) by Ravi Hegde for approval")
    assert f"<@{POSTER}>" in message.text  # the blocks: a mention, which Slack shows by name

    slack.click(ANA, CHANGES_ACTION, "1:1", channel=COMMS_CHANNEL,
                message_ts=message.answer["ts"])
    view = api.wait_calls("views.open")[0].answer["view"]
    slack.submit(ANA, view, {"comment": "Say where"})

    told = api.wait_for(lambda: [c for c in api.dms_to(POSTER) if "Changes are requested"
                                 in c.args.get("text", "")])[0]
    assert "(Ana Rao: Say where)" in told.args["text"] and ANA not in told.args["text"]
    assert f"<@{ANA}>" in told.text
    update = api.wait_for(lambda: updates_of(api, message))[-1]
    assert "Ravi Hegde" in update.args["text"] and POSTER not in update.args["text"]


def test_each_persons_name_is_looked_up_once(api, slack, running):
    submitted(api, slack)
    submitted(api, slack, FINE.replace("Saturday", "Sunday"))
    submitted(api, slack, FINE.replace("Saturday", "Monday"))

    lookups = [c for c in api.of("users.info") if c.args.get("user") == POSTER]
    assert len(lookups) == 1
    assert running.bot.port.names.name(POSTER) == "Ravi Hegde"


def test_without_names_messages_still_go_out_naming_people_by_id(api, slack):
    api.fail("users.info", "missing_scope", times=5)

    message = submitted(api, slack)

    assert message.args["text"].startswith(f"Post 1 (version 1) by {POSTER} for approval")


# --- short answers ---------------------------------------------------------------------------


def test_help_and_status_answer_in_the_acknowledgement(api, slack):
    submitted(api, slack)

    help_reply = slack.command(POSTER, "help")
    status = slack.command(POSTER, "status 1")

    assert "/checkpost published N URL" in help_reply.body
    assert "&lt;draft&gt;" in help_reply.body
    assert "Post 1 waits for approval: 0 of 1 approval(s)." in status.body


def test_person_errors_get_a_short_answer_that_says_what_to_do(api, slack):
    unknown = slack.command(POSTER, "status 99")
    usage = slack.command(POSTER, "published one https://x.com")
    slack.command(OUTSIDER, "approve 42")

    assert "There is no post 99" in unknown.body
    assert "Usage: published N URL" in usage.body
    (later,) = api.wait_calls("response_url")
    assert "There is no post 42" in later.args["text"]


def test_an_incident_named_by_its_post_number_is_recorded_under_that_post(api, slack,
                                                                         running):
    submitted(api, slack)
    slack.command(POSTER, "incident 1 https://x.com/troll/status/1900000000000000002 slurs")

    answers = api.wait_for(lambda: [a for a in api.of("response_url")
                                    if "Incident 1" in a.args["text"]])
    assert "under post 1" in answers[0].args["text"]
    assert running.bot.workflow.incident(1).post_number == 1


def test_an_incident_gets_the_checklist_and_its_steps_can_be_ticked(api, slack):
    slack.command(POSTER, "incident https://x.com/someone/status/1900000000000000002 abuse")
    message = api.wait_calls("chat.postMessage", channel=COMMS_CHANNEL)[0]
    assert "Incident 1" in message.text
    steps = [b["accessory"] for b in message.args["blocks"]
             if b.get("accessory", {}).get("action_id") == INCIDENT_STEP_ACTION]
    hide = next(s for s in steps if s["value"] == "1:hide")
    # the reporter's answer comes once the comms message is stored: a click can find it then
    api.wait_calls("response_url")

    slack.click(ANA, INCIDENT_STEP_ACTION, hide["value"], channel=COMMS_CHANNEL,
                message_ts=message.answer["ts"])
    slack.click(OUTSIDER, INCIDENT_STEP_ACTION, "1:emails", channel=COMMS_CHANNEL,
                message_ts=message.answer["ts"])

    update = api.wait_for(lambda: updates_of(api, message))
    assert "~3. Hide the hateful comments~" in update[-1].text
    (whisper,) = api.wait_calls("chat.postEphemeral", user=OUTSIDER)
    assert "Only whoever reported the incident" in whisper.text
