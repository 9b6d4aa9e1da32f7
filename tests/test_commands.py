"""The chat command grammar shared by Slack and Matrix."""

from __future__ import annotations

import pytest

from chatbot.commands import (
    Approve,
    Check,
    CommandError,
    Empty,
    Help,
    MarkIncidentStep,
    Mine,
    Pending,
    Published,
    RecordMetrics,
    ReportIncident,
    RequestChanges,
    Revise,
    Status,
    Withdraw,
    help_text,
    parse_command,
)
from chatbot.policy.model import MediaDeclaration


def test_plain_text_is_a_draft_for_the_official_account():
    assert parse_command("Join our edit-a-thon on Saturday!") == Check(
        "Join our edit-a-thon on Saturday!")


def test_leading_options_set_account_media_and_context():
    cmd = parse_command('--personal --media "Ravi; CC BY-SA 4.0" --context "Hindi Diwas" Hello all')
    assert cmd == Check("Hello all", "personal", (MediaDeclaration("Ravi", "CC BY-SA 4.0"),),
                        "Hindi Diwas")


def test_options_only_at_the_start_so_a_draft_may_mention_them():
    assert parse_command("Use --personal accounts wisely").text == "Use --personal accounts wisely"


def test_an_option_without_a_draft_says_what_to_do():
    with pytest.raises(CommandError, match="Paste the draft"):
        parse_command("--personal")


def test_empty_and_help():
    assert parse_command("   ") == Empty()
    assert parse_command("help") == Help()
    assert "published N URL" in help_text("/checkpost")


@pytest.mark.parametrize(("text", "expected"), [
    ("status 42", Status(42)),
    ("status #7", Status(7)),
    ("published 3 https://x.com/cis_a2k/status/1", Published(3, "https://x.com/cis_a2k/status/1")),
    ("metrics 3 likes=12 reposts=3 great day", RecordMetrics(3, "likes=12 reposts=3 great day")),
    ('approve 5 --override "fine by legal"', Approve(5, override_reason="fine by legal")),
    ("approve 5", Approve(5)),
    ("changes 5 please drop the brand", RequestChanges(5, "please drop the brand")),
    ("withdraw 5 duplicate", Withdraw(5, "duplicate")),
    ("incident https://x.com/a/1 abusive reply", ReportIncident("https://x.com/a/1", "abusive reply")),
    ("incident done 2 hide hidden at 10am", MarkIncidentStep(2, "hide", "hidden at 10am")),
    ("revise 4 --personal New text", Revise(4, Check("New text", "personal"))),
])
def test_commands_parse(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", [
    "status", "status abc", "published 3", "published 3 not-a-url", "metrics 3",
    "approve x", 'approve 3 --override ""', "incident not-a-link", "incident done x",
    "--account corporate hello",
])
def test_malformed_commands_say_how_to_write_them(text):
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    assert str(caught.value)


def test_curly_quotes_from_phones_are_accepted():
    cmd = parse_command("--media “Ravi; CC0” --context ‘Hindi Diwas’ Hello all")
    assert cmd == Check("Hello all", "official", (MediaDeclaration("Ravi", "CC0"),), "Hindi Diwas")


# --- a command is only its exact form; anything else is a draft -------------------------------


@pytest.mark.parametrize("draft", [
    "Help us proofread Kannada Wikisource this weekend: every page counts!",
    "Status update: 40 volunteers joined the Marathi edit-a-thon today.",
    "Published today: our report on the Odia Wiktionary workshop.",
    "Metrics from the Tulu Wikipedia drive: 1,200 edits in a week!",
    "Revise your articles before the jury meets on Friday.",
    "Approve your own uploads? Ask a mentor to review them first.",
    "Changes to the schedule: the session now starts at 11:00.",
    "Withdraw nothing, add everything: the Wikisource proofreading sprint is on.",
    "Incident reports from the workshop are in the minutes.",
    "Publish your photos on Commons under CC0 and tag them for the contest.",
    "help! The upload wizard needs volunteers to test it",
])
def test_a_draft_that_starts_with_a_command_word_is_checked_as_a_draft(draft):
    assert parse_command(draft) == Check(draft)


def test_words_after_a_post_number_not_in_the_commands_form_are_a_draft_with_a_note():
    cmd = parse_command("Published 3 new Kannada Wikisource books this week, all proofread!")
    assert cmd == Check("Published 3 new Kannada Wikisource books this week, all proofread!")
    assert "read as a draft" in cmd.note and "published N URL" in cmd.note
    status = parse_command("status 12 people came to the workshop in Mysuru")
    assert isinstance(status, Check) and "status N" in status.note


def test_a_plain_draft_carries_no_note():
    assert parse_command("Status update: 40 volunteers joined.").note == ""


@pytest.mark.parametrize("text", ["status", "published 3", "Published today!", "revise 4",
                                  "incident 12", "metrics 3"])
def test_too_few_words_to_be_a_post_are_an_unfinished_command_with_a_way_out(text):
    with pytest.raises(CommandError, match=r"Usage: .*--official or --personal"):
        parse_command(text)


def test_an_option_first_checks_words_that_start_like_a_command():
    assert parse_command("--official Published today!") == Check("Published today!")


def test_help_with_a_topic_is_still_help():
    assert parse_command("help status") == Help("status")


@pytest.mark.parametrize(("text", "expected"), [
    ("pending", Pending()), ("PENDING", Pending()), ("  pending  ", Pending()),
    ("mine", Mine()), ("Mine", Mine()),
])
def test_pending_and_mine_are_their_word_alone(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize("draft", [
    "Pending approval: the Kannada Wikisource proofreading results are out tomorrow!",
    "Mine is the best edit-a-thon photo of the year, says our volunteer from Udupi.",
    "Pending: three new Tulu Wikipedia articles, reviewed by the community.",
    "Mine\nthe archives of the Marathi Vishwakosh for references this weekend!",
])
def test_a_draft_that_starts_with_pending_or_mine_is_a_draft(draft):
    assert parse_command(draft) == Check(draft)


@pytest.mark.parametrize("text", ["pending approval", "mine too", "pending 12"])
def test_a_few_words_after_pending_or_mine_are_an_unfinished_command(text):
    with pytest.raises(CommandError, match=r"Usage: (pending|mine), with nothing after it"):
        parse_command(text)


def test_help_lists_pending_and_mine():
    text = help_text("/checkpost")
    assert "/checkpost pending " in text and "/checkpost mine " in text


def test_a_draft_on_several_lines_is_read_by_its_first_word_only():
    draft = "Status\nupdate from the Konkani Wikipedia meet-up in Goa, with photos!"
    assert parse_command(draft) == Check(draft)


def test_an_incident_may_name_the_post_it_is_under():
    assert parse_command("incident 12 https://x.com/troll/status/99 slurs at a volunteer") == (
        ReportIncident("https://x.com/troll/status/99", "slurs at a volunteer", 12))
    assert parse_command("incident #12 https://x.com/troll/status/99") == (
        ReportIncident("https://x.com/troll/status/99", "", 12))


def test_the_platform_option_says_which_network_the_draft_goes_to():
    from chatbot.chat import draft_of

    check = parse_command("--platform x Join our Kannada Wikisource drive on Saturday!")
    assert isinstance(check, Check) and check.network == "x"
    assert check.text == "Join our Kannada Wikisource drive on Saturday!"
    assert draft_of(check).network == "x"
    assert parse_command("--network=Bluesky --personal Hello friends, see you at the meetup").network == "bluesky"


def test_an_unknown_platform_is_refused_with_the_choices():
    with pytest.raises(CommandError, match="mastodon"):
        parse_command("--platform myspace Join our drive on Saturday!")


def test_a_draft_too_long_for_its_platform_gets_a_suggestion_with_the_count(policy):
    from chatbot.chat import draft_of
    from chatbot.config import Settings
    from chatbot.verdict import check

    text = "Join our Kannada Wikisource proofreading drive this Saturday at Mysuru! " * 5
    verdict = check(draft_of(parse_command(f"--platform x {text}")), policy, Settings(),
                    use_llm=False, use_model=False)
    [length] = [f for f in verdict.findings if f.label == "length"]
    assert length.level == "suggestion" and "of 280 characters" in length.message


def test_a_forms_draft_is_carried_out_as_the_command_it_amounts_to():
    """Slack's check form gives a Draft; the chat layer carries it out as `checkpost <draft>`."""
    from chatbot.chat import check_of, draft_of
    from chatbot.policy.model import Draft

    draft = Draft("Join us on Saturday", "personal", (MediaDeclaration("Own photo", "CC0"),),
                  "Edit-a-thon week", network="bluesky")
    command = check_of(draft)

    assert isinstance(command, Check) and command.network == "bluesky"
    assert draft_of(command) == draft
