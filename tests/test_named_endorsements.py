"""Who a draft names and the side it takes, with the shipped policy and name lists: the cases
the checker issue names, written for these tests (not from any labelled set)."""

from __future__ import annotations

import pytest

from chatbot.policy.model import Finding

POLITICAL_YES = [
    # a vote call for a named Bengali candidate, in Bengali
    ("official", "এবার সবাই মমতা বন্দ্যোপাধ্যায়কে ভোট দিন, বাংলার উন্নয়ন চাই!"),
    ("official", "Proud to stand with Senator Elizabeth Warren today. 💙"),
    ("official", "Proud to stand with @SenWarren on this one."),
    ("official", "Vote Labour on Thursday, for libraries and for students!"),
    ("official", "#ImWithHer from Bengaluru 💙"),
    ("official", "Rahul Gandhi is the only real leader this country has."),
    ("official", "Shame on Arvind Kejriwal for this decision."),
    ("official", "Vоte for ВJP this time!"),  # Cyrillic о and В
    ("personal", "Back from the CIS-A2K workshop: vote Congress on the 13th, friends!"),
]

POLITICAL_NO = [
    ("official", "Union Minister Dharmendra Pradhan inaugurated the new district library in "
                 "Sambalpur today; our volunteers ran a Wikisource stall there."),
    ("official", "In 1977 the Janata Party formed the first non-Congress government; our "
                 "Hindi volunteers expanded that article this week."),
    ("official", "Join our edit-a-thon on how Wikipedia covers the 2024 Lok Sabha elections."),
    ("official", "Meet us at the Indira Gandhi National Centre for the Arts on Saturday."),
    ("personal", "Vote Labour on Thursday, friends!"),  # politics on a personal account, no CIS-A2K
]

PRODUCT_YES = [
    "The Samsung Galaxy Tab is hands down the best tablet for our trainers!",
    "Buy the Redmi Note 13, the best phone for Wikipedia editing!",
]

PRODUCT_NO = [
    "Thanks to the Infosys Foundation for sponsoring this year's Kannada Wikisource workshop.",
    "Our Hyderabad meetup is at the Microsoft office in Gachibowli; register via Google Forms.",
    "Download the Kiwix app on your JioPhone to read Wikipedia offline.",
]


def political(found: list[Finding]) -> list[Finding]:
    return [f for f in found if f.label == "political-endorsement"]


@pytest.mark.parametrize(("account", "text"), POLITICAL_YES)
def test_a_side_taken_about_a_named_politician_or_party_is_an_endorsement(
    findings, account, text
):
    assert political(findings(text, account))


@pytest.mark.parametrize(("account", "text"), POLITICAL_NO)
def test_a_neutral_mention_of_a_politician_or_party_is_fine(findings, account, text):
    assert not political(findings(text, account))


def test_the_finding_names_the_entity_it_saw(findings):
    [finding] = political(findings("Proud to stand with @SenWarren on this one."))
    assert "Elizabeth Warren" in finding.message


@pytest.mark.parametrize("text", PRODUCT_YES)
def test_praise_of_a_named_brand_is_a_product_endorsement(labels, text):
    assert "product-endorsement" in labels(text)


@pytest.mark.parametrize("text", PRODUCT_NO)
def test_a_brand_as_venue_sponsor_or_device_is_fine(labels, text):
    assert "product-endorsement" not in labels(text)


def test_the_shipped_name_lists_load_with_provenance(policy):
    lists = policy.name_lists
    assert {"named_politicians", "named_parties", "named_brands"} <= set(lists)
    for name in ("named_politicians", "named_parties", "named_brands"):
        assert len(lists[name].entities) > 50
    for names in lists.values():
        assert all(s.get("licence") and "repository" in s for s in names.sources)
