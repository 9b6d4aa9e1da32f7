"""A draft fits the network it goes to: counted as X, Mastodon, Bluesky, Facebook, Instagram
and LinkedIn count, Indic text included, and over the limit is a suggestion with the count."""

from __future__ import annotations

import json

import pytest

from chatbot.config import ConfigError, Settings, load_settings
from chatbot.policy.model import Draft
from chatbot.policy.networks import NETWORKS, fit_finding, network
from chatbot.verdict import check
from tests.test_cli import run

X, MASTODON, BLUESKY = NETWORKS["x"], NETWORKS["mastodon"], NETWORKS["bluesky"]
NAMASTE = "नमस्ते"  # six code points, three grapheme clusters


# twitter-text's conformance examples (validate.yml, WeightedTweetsWithDiscountedEmojiCounterTest
# and lengths), counted with configuration v3.
@pytest.mark.parametrize(("text", "expected"), [
    ("This is a test.", 15),
    ("http://test.com", 23),
    ("https://test.com", 23),
    ("test.com", 23),
    ("Test https://test.com test https://test.com test.com test", 86),
    ("Hi http://test.co", 26),
    ("저찀쯿쿿", 8),
    ("H🐱☺👨‍👩‍👧‍👦", 7),
    ("😷👾😡🔥💩", 10),
    ("🙋🏽👨‍🎤", 4),
    ("english text 日本語 😷 https://example.com", 46),
    ("This is a tweet with general punctuation characters: \u2000\u2001\u2002\u2003\u2004"
     "\u2005\u2006\u2007\u2008\u2009\u200A\u200B ‐ ‑ ‒ – — ― ‖  ‗ ‘ ’ ‚ ‛ “ ” „ ‟ ′ ″ ‴ ‵ ‶ ‷", 110),
    ("https://www.twitter.com/aloha " * 10, 240),
])
def test_x_counts_as_twitter_text_does(text, expected):
    assert X.length(text) == expected


def test_x_counts_160_cjk_characters_as_320():
    assert X.length("故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。" * 5) == 320


def test_x_counts_each_indic_code_point_once_vowel_signs_and_viramas_included():
    assert X.length(NAMASTE) == 6
    assert X.length("ਸਤਿ ਸ੍ਰੀ ਅਕਾਲ") == len("ਸਤਿ ਸ੍ਰੀ ਅਕਾਲ")
    assert X.length("வணக்கம்") == 7


def test_x_counts_nfc_normalised_text():
    assert X.length("e\u0301") == 1  # é written as e + combining acute


def test_an_email_address_is_not_a_link_on_x():
    assert X.length("a2k@cis-india.org") == len("a2k@cis-india.org")


def test_a_long_wikipedia_link_is_23_on_x_and_mastodon_and_in_full_on_bluesky():
    url = "https://mr.wikipedia.org/wiki/%E0%A4%AE%E0%A4%B0%E0%A4%BE%E0%A4%A0%E0%A5%80_(city)"
    text = f"Read {url}."
    assert X.length(text) == 5 + 23 + 1
    assert MASTODON.length(text) == 5 + 23 + 1
    assert BLUESKY.length(text) == len(text)


def test_mastodon_counts_a_bare_domain_in_full_and_a_remote_mention_as_its_user():
    assert MASTODON.length("see wikimedia.in") == len("see wikimedia.in")
    assert MASTODON.length("@cisa2k@wikis.world") == len("@cisa2k")


def test_mastodon_and_bluesky_count_a_devanagari_conjunct_as_one():
    assert MASTODON.length(NAMASTE) == 3
    assert BLUESKY.length(NAMASTE) == 3
    assert BLUESKY.length("क्ष") == 1
    assert BLUESKY.length("👨‍👩‍👧‍👦🇮🇳") == 2


@pytest.mark.parametrize("name", ["facebook", "instagram", "linkedin"])
def test_facebook_instagram_and_linkedin_count_every_code_point(name):
    assert NETWORKS[name].length(NAMASTE) == 6


def test_a_draft_at_the_limit_fits_and_one_more_character_does_not():
    assert fit_finding("x" * 280, X) is None
    finding = fit_finding("x" * 281, X)
    assert finding is not None and finding.span == (280, 281)


def test_over_the_limit_is_a_suggestion_with_the_count():
    text = "Marathi Wikisource proofreading sprint! " * 7 + "ok"  # 282 characters
    text += " https://example.org/a/very/long/path/that/counts/as/23/characters"  # 1 + 23
    finding = fit_finding(text, X)
    assert finding.level == "suggestion" and finding.label == "length"
    assert finding.message.startswith("306 of 280 characters: too long for X by 26.")
    assert finding.rule == "length-x" and finding.suggestion == "Cut 26 characters."


def test_a_hindi_post_that_fits_bluesky_is_too_long_for_x():
    text = "हिंदी विकिपीडिया के नए संपादकों का स्वागत है। " * 7  # 322 code points, 196 clusters
    assert fit_finding(text, BLUESKY) is None
    assert fit_finding(text, X).message.startswith("322 of 280 characters")


def test_an_unknown_network_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="x, mastodon, bluesky, facebook, instagram, linkedin"):
        network("tiktok")


def test_checkpost_platform_names_a_network_and_a_wrong_one_is_a_config_error():
    assert load_settings({"CHECKPOST_PLATFORM": "Mastodon"}).network == "mastodon"
    assert load_settings({}).network == ""
    with pytest.raises(ConfigError, match="CHECKPOST_PLATFORM"):
        load_settings({"CHECKPOST_PLATFORM": "tiktok"})


def test_the_verdict_passes_with_a_length_suggestion_and_the_drafts_network_wins(policy):
    settings = Settings(model_on=False, network="facebook")
    text = "Join the Kannada Wikipedia edit-a-thon this Saturday in Mysuru. " * 5
    assert check(Draft(text), policy, settings, use_llm=False).findings == ()
    verdict = check(Draft(text, network="x"), policy, settings, use_llm=False)
    assert verdict.passed and [f.rule for f in verdict.findings] == ["length-x"]


LONG = "Join the Kannada Wikipedia edit-a-thon this Saturday in Mysuru. " * 5  # 320


def test_cli_platform_option_adds_the_suggestion_and_exits_0():
    result = run("check", "--rules-only", "--json", "--platform", "x", LONG)
    assert result.returncode == 0, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["message"].startswith("320 of 280 characters")


def test_cli_takes_the_network_from_checkpost_platform_and_the_option_overrides_it():
    by_env = run("check", "--rules-only", "--json", LONG, env={"CHECKPOST_PLATFORM": "bluesky"})
    assert [f["rule"] for f in json.loads(by_env.stdout)["findings"]] == ["length-bluesky"]
    by_option = run("check", "--rules-only", "--json", "--platform", "linkedin", LONG,
                    env={"CHECKPOST_PLATFORM": "bluesky"})
    assert json.loads(by_option.stdout)["findings"] == []


def test_cli_refuses_an_unknown_platform_with_exit_2():
    assert run("check", "--rules-only", "--platform", "tiktok", LONG).returncode == 2
    bad_env = run("check", "--rules-only", LONG, env={"CHECKPOST_PLATFORM": "tiktok"})
    assert bad_env.returncode == 2 and "CHECKPOST_PLATFORM" in bad_env.stderr


def test_batch_lines_get_the_networks_suggestion(tmp_path):
    batch = tmp_path / "drafts.jsonl"
    batch.write_text(json.dumps({"id": "a", "text": LONG}) + "\n"
                     + json.dumps({"id": "b", "text": "Short and sweet."}) + "\n")
    result = run("check", "--rules-only", "--batch", str(batch), "--platform", "x")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [len(line["findings"]) for line in lines] == [1, 0]


def test_eval_ignores_checkpost_platform_as_length_is_no_policy_label(tmp_path):
    labelled = tmp_path / "l.jsonl"
    labelled.write_text(json.dumps({"id": "a", "text": LONG, "labels": []}) + "\n")
    result = run("eval", str(labelled), "--rules-only", "--json",
                 env={"CHECKPOST_PLATFORM": "x"})
    assert result.returncode == 0, result.stderr
    assert "length" not in result.stdout
