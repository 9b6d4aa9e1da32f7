"""The chat command grammar shared by Slack and Matrix."""

from __future__ import annotations

import pytest

from chatbot.commands import (
    Approve,
    Check,
    CommandError,
    Empty,
    Help,
    Incident,
    IncidentStep,
    MetricsCommand,
    Published,
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
    ("metrics 3 likes=12 reposts=3 great day", MetricsCommand(3, "likes=12 reposts=3 great day")),
    ('approve 5 --override "fine by legal"', Approve(5, override_reason="fine by legal")),
    ("approve 5", Approve(5)),
    ("changes 5 please drop the brand", RequestChanges(5, "please drop the brand")),
    ("withdraw 5 duplicate", Withdraw(5, "duplicate")),
    ("incident https://x.com/a/1 abusive reply", Incident("https://x.com/a/1", "abusive reply")),
    ("incident done 2 hide hidden at 10am", IncidentStep(2, "hide", "hidden at 10am")),
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
