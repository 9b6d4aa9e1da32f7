"""What comms are shown of a revision: the word-level diff, and the other changes beside it.

The core (`workflow.revision_diff`) is tested on its own; the renderings of both adapters are
tested on the same diffs, and the whole path (a real Bolt app, a real Synapse) in
`test_slack_flow.py` and `test_matrix.py`.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from chatbot.adapters.matrix import html as matrix_html
from chatbot.adapters.slack import blocks as slack_blocks
from chatbot.messages import MessageRef
from chatbot.policy.model import MediaDeclaration, ModelStatus, ReviewStatus, Verdict
from chatbot.workflow.posts import Post, PostState, Version
from chatbot.workflow.revision_diff import (
    Segment,
    Skip,
    compare,
    diff_words,
    shorten,
    since_shown,
    tokens,
)
from tests.desk import POSTER, Desk, draft, finding, verdict


def marked(segments) -> str:
    """Segments in `git diff --word-diff` notation, to read the tests at a glance."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(marks[s.kind].format(s.text) for s in segments)


def spelled(segments, side: str) -> str:
    dropped = "insert" if side == "old" else "delete"
    return "".join(s.text for s in segments if s.kind != dropped)


# --- the words -------------------------------------------------------------------------------


def test_a_changed_word_is_struck_and_its_replacement_put_in_with_the_rest_kept():
    old = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00!"
    new = "Join the Marathi Wikipedia edit-a-thon this Sunday at 11:00!"
    assert marked(diff_words(old, new)) == (
        "Join the [-Kannada-]{+Marathi+} Wikipedia edit-a-thon this "
        "[-Saturday-]{+Sunday+} at [-10:00!-]{+11:00!+}")


def test_an_added_sentence_is_one_insertion_and_nothing_else_is_marked():
    segments = diff_words("Join us on Saturday!", "Join us on Saturday! See you there.")
    assert segments == (Segment("equal", "Join us on Saturday!"),
                        Segment("insert", " See you there."))


def test_a_rewrite_is_not_cut_into_pieces_by_a_short_word_both_texts_happen_to_have():
    old = "Our trainers love the ZenTab 12: use code WIKI15 for 15% off!"
    new = "Join the Kannada Wikipedia edit-a-thon this Saturday at 10:00 in Bengaluru!"
    assert diff_words(old, new) == (Segment("delete", old), Segment("insert", new))


def test_a_changed_punctuation_mark_shows_its_whole_word_changed():
    # a lone "!" struck beside "Saturday" would be hard to see, and chat markup marks words
    assert marked(diff_words("See you Saturday!", "See you Saturday.")) == (
        "See you [-Saturday!-]{+Saturday.+}")


def test_devanagari_words_change_whole_with_their_vowel_signs_and_viramas():
    old = "हिन्दी विकिपीडिया संपादन कार्यशाला शनिवार को है।"
    new = "हिन्दी विकिपीडिया संपादन कार्यशाला रविवार को है।"
    assert tokens("हिन्दी है।") == ["हिन्दी", " ", "है", "।"]
    assert marked(diff_words(old, new)) == (
        "हिन्दी विकिपीडिया संपादन कार्यशाला [-शनिवार-]{+रविवार+} को है।")


def test_tamil_words_with_pulli_and_vowel_signs_are_never_split():
    old = "தமிழ் விக்கிப்பீடியா பயிற்சி சனிக்கிழமை நடைபெறும்"
    new = "தமிழ் விக்கிப்பீடியா பயிற்சிப் பட்டறை ஞாயிற்றுக்கிழமை நடைபெறும்"
    assert tokens("தமிழ் விக்கிப்பீடியா") == ["தமிழ்", " ", "விக்கிப்பீடியா"]
    assert marked(diff_words(old, new)) == (
        "தமிழ் விக்கிப்பீடியா [-பயிற்சி சனிக்கிழமை-]{+பயிற்சிப் பட்டறை ஞாயிற்றுக்கிழமை+}"
        " நடைபெறும்")


def test_line_breaks_and_runs_of_spaces_are_kept_as_the_poster_wrote_them():
    old = "Edit-a-thon\n\nWhere:  Bengaluru\nWhen: Saturday"
    new = "Edit-a-thon\n\nWhere:  Mysuru\nWhen: Saturday"
    segments = diff_words(old, new)
    assert marked(segments) == "Edit-a-thon\n\nWhere:  [-Bengaluru-]{+Mysuru+}\nWhen: Saturday"


def test_a_change_of_spacing_alone_is_found_and_said_in_words_not_marks(tmp_path):
    segments = diff_words("See you Saturday at ten", "See you Saturday\nat ten")
    assert segments == (Segment("equal", "See you Saturday"), Segment("delete", " "),
                        Segment("insert", "\n"), Segment("equal", "at ten"))
    post = two_versions(tmp_path, draft("See you Saturday at ten"), verdict(),
                        draft("See you Saturday\nat ten"), verdict())
    assert since_shown(post, post.current).spacing_only
    assert ("only spaces or line breaks changed"
            in matrix_html.comms_message(post, post.current, 1).body)
    _, body = slack_blocks.comms_message(post, post.current, 1)
    assert "only spaces or line breaks changed" in str(body)


def test_a_link_is_one_word_so_a_changed_link_is_struck_whole():
    old = "Register: https://meta.wikimedia.org/wiki/Event_1 today"
    new = "Register: https://meta.wikimedia.org/wiki/Event_2 today"
    assert marked(diff_words(old, new)) == (
        "Register: [-https://meta.wikimedia.org/wiki/Event_1-]"
        "{+https://meta.wikimedia.org/wiki/Event_2+} today")


_PIECES = st.sampled_from([*"ab c.!\n*_~", "कि", "ன்", "👍🏽", "\u200d", "https://x.org/a "])
_TEXT = st.lists(_PIECES, max_size=25).map("".join)


@given(_TEXT, _TEXT)
def test_the_segments_spell_both_versions_character_for_character(old, new):
    segments = diff_words(old, new)
    assert spelled(segments, "old") == old
    assert spelled(segments, "new") == new
    assert all(s.text for s in segments)


# --- long drafts -----------------------------------------------------------------------------


LONG = " ".join(f"word{i}" for i in range(300))


def test_a_long_draft_keeps_a_few_words_around_each_change_and_skips_the_rest():
    new = LONG.replace("word10 ", "WORD10 ").replace("word200 ", "word200 and more ")
    excerpt = shorten(diff_words(LONG, new), context_words=3)
    assert not excerpt.cut
    assert excerpt.pieces == (
        Skip(7), Segment("equal", "word7 word8 word9 "),
        Segment("delete", "word10"), Segment("insert", "WORD10"),
        Segment("equal", " word11 word12 word13 "), Skip(184),
        Segment("equal", "word198 word199 word200 "), Segment("insert", "and more "),
        Segment("equal", "word201 word202 word203 "), Skip(96))
    shown = "".join(text for _, text in excerpt.display())
    assert shown.startswith("… word7 word8 word9 word10 WORD10 word11")
    assert " word13 … word198 " in shown and shown.endswith("word203 …")


def test_a_change_near_the_start_keeps_everything_before_it():
    excerpt = shorten(diff_words("one two three", "one two four"))
    assert excerpt.pieces == (Segment("equal", "one two "), Segment("delete", "three"),
                              Segment("insert", "four"))


def test_a_rewrite_longer_than_the_limit_is_cut_and_says_how_many_changes_are_left():
    new = " ".join(f"other{i}" for i in range(300))
    excerpt = shorten(diff_words(LONG, new), limit=200)
    shown = sum(len(p.text) for p in excerpt.pieces if isinstance(p, Segment))
    assert shown <= 200
    assert excerpt.cut and excerpt.changes_left == 2  # the deletion in part, the insertion
    assert excerpt.pieces[0].kind == "delete" and excerpt.pieces[0].text.startswith("word0 ")


# --- the other changes, and which version is the base ------------------------------------


def two_versions(tmp_path, old_draft, old_verdict, new_draft, new_verdict):
    desk = Desk(tmp_path / "checkpost.db")
    number = desk.workflow.submit(old_draft, old_verdict, poster=POSTER).post.number
    desk.workflow.revise(number, new_draft, new_verdict, by=POSTER)
    post = desk.workflow.post(number)
    desk.close()
    return post


def test_media_and_account_changes_are_listed_and_a_new_licence_is_one_out_one_in(tmp_path):
    photo = MediaDeclaration("Commons: Edit-a-thon.jpg", "CC BY-SA 4.0")
    logo = MediaDeclaration("A2K logo", "CC0")
    post = two_versions(
        tmp_path, draft("Join us", media=[photo, logo]), verdict(),
        draft("Join us", account="personal", media=[replace(photo, license="CC BY 4.0"), logo]),
        verdict())
    diff = since_shown(post, post.current)
    assert diff is not None and diff.before == 1 and diff.after == 2
    assert not diff.text_changed and diff.changed
    assert diff.account == ("official", "personal")
    assert diff.media_gone == (photo,)
    assert diff.media_new == (MediaDeclaration("Commons: Edit-a-thon.jpg", "CC BY 4.0"),)


def test_findings_gone_and_new_are_compared_by_rule_and_label(tmp_path):
    promo, tags = finding("product-endorsement"), finding("hashtags", "warning")
    moved = replace(tags, span=(10, 18))  # the same finding, elsewhere in the new text
    post = two_versions(tmp_path, draft("Buy ZenTab #wiki"), verdict(promo, tags),
                        draft("Join us #wiki #a2k"),
                        verdict(moved, finding("tagging", "suggestion")))
    diff = since_shown(post, post.current)
    assert diff is not None
    assert [f.label for f in diff.findings_gone] == ["product-endorsement"]
    assert [f.label for f in diff.findings_new] == ["tagging"]
    assert diff.findings_unchecked == ()


def test_a_review_finding_is_not_gone_when_the_review_did_not_run_on_the_new_version():
    tone = replace(finding("tone"), rule="llm-tone", source="llm")
    ran = Verdict(findings=(tone,), llm=ReviewStatus("ok", model="m"))
    skipped = Verdict(llm=ReviewStatus("failed", "timed out"),
                      model=ModelStatus("off", "not requested"))
    post = _post_with(ran, skipped)
    diff = compare(post.versions[0], post.versions[1])
    assert diff.findings_gone == () and diff.findings_unchecked == (tone,)


def test_the_base_is_the_last_version_comms_saw_not_one_replaced_before_it_reached_them(
        tmp_path):
    desk = Desk(tmp_path / "checkpost.db")
    number = desk.submit(text="Version one of the draft")
    desk.port.fail.add("show_to_comms")
    desk.workflow.revise(number, draft("Version two, never shown"), verdict(), by=POSTER)
    desk.port.fail.clear()
    desk.workflow.revise(number, draft("Version three of the draft"), verdict(), by=POSTER)
    post = desk.workflow.post(number)
    desk.close()
    assert post.versions[1].comms_ref is None and post.current.comms_ref is not None
    diff = since_shown(post, post.current)
    assert diff is not None and diff.before == 1
    assert marked(diff.text) == "Version [-one-]{+three+} of the draft"
    assert since_shown(post, post.versions[0]) is None


def test_an_earlier_text_that_was_purged_is_not_compared(tmp_path):
    post = two_versions(tmp_path, draft("Old words"), verdict(), draft("New words"), verdict())
    purged = replace(post.versions[0], draft=replace(post.versions[0].draft, text=""),
                     purged=True)
    diff = compare(purged, post.current)
    assert diff.purged and diff.text == ()


def test_the_same_draft_sent_again_changes_nothing(tmp_path):
    post = two_versions(tmp_path, draft("Same words"), verdict(), draft("Same words"), verdict())
    diff = since_shown(post, post.current)
    assert diff is not None and not diff.changed


# --- as each adapter shows it ------------------------------------------------------------


def test_slack_shows_the_diff_as_rich_text_so_a_drafts_own_markup_stays_text(tmp_path):
    post = two_versions(tmp_path, draft("Use code *WIKI15* for ~15% off"),
                        verdict(finding("product-endorsement")),
                        draft("Use code WIKI_15 for <b>15%</b> off"), verdict())
    _, body = slack_blocks.comms_message(post, post.current, 1)
    rich = [b for b in body if b["type"] == "rich_text"]
    assert len(rich) == 2  # the draft, then the diff
    elements = rich[1]["elements"][0]["elements"]
    assert {"type": "text", "text": "*WIKI15*", "style": {"strike": True}} in elements
    assert {"type": "text", "text": "WIKI_15", "style": {"bold": True}} in elements
    assert {"type": "text", "text": "<b>15%</b>", "style": {"bold": True}} in elements
    sections = [b["text"]["text"] for b in body if b["type"] == "section" and "text" in b]
    assert any(s.startswith("*What changed since version 1") for s in sections)
    assert "*Findings gone:* :no_entry: `product-endorsement` (error)" in "\n".join(sections)


def test_slack_says_when_the_diff_of_a_long_rewrite_is_cut(tmp_path):
    post = two_versions(tmp_path, draft(LONG), verdict(),
                        draft(" ".join(f"other{i}" for i in range(300))), verdict())
    _, body = slack_blocks.comms_message(post, post.current, 1)
    notes = [e["text"] for b in body if b["type"] == "context" for e in b["elements"]]
    assert any("the diff stops here, with 2 change(s) not shown or not in full" in n
               for n in notes)
    assert len(body) <= slack_blocks.MAX_BLOCKS


def test_matrix_shows_del_and_ins_in_html_and_word_diff_marks_in_the_body(tmp_path):
    post = two_versions(tmp_path, draft("Meet at <Town Hall> on Saturday\nBring a laptop"),
                        verdict(), draft("Meet at <Town Hall> on Sunday\nBring a laptop"),
                        verdict(finding("tagging", "suggestion")))
    rendered = matrix_html.comms_message(post, post.current, 1)
    assert ("Meet at &lt;Town Hall&gt; on <del>Saturday</del> <ins><strong>Sunday</strong>"
            "</ins><br>Bring a laptop") in rendered.html
    assert "> Meet at <Town Hall> on [-Saturday-] {+Sunday+}\n> Bring a laptop" in rendered.body
    assert "- New findings: · suggestion [tagging]" in rendered.body
    assert "<li><em>New findings:</em> · suggestion [tagging]</li>" in rendered.html


def test_a_change_across_lines_is_marked_line_by_line_in_matrix(tmp_path):
    post = two_versions(tmp_path, draft("Hello"), verdict(),
                        draft("Hello\nSee you there\nBring tea"), verdict())
    rendered = matrix_html.comms_message(post, post.current, 1)
    assert ("Hello<ins><strong></strong></ins>" not in rendered.html)
    assert ("Hello<br><ins><strong>See you there</strong></ins><br>"
            "<ins><strong>Bring tea</strong></ins>") in rendered.html
    assert "> Hello\n> {+See you there+}\n> {+Bring tea+}" in rendered.body


def test_a_first_version_shows_no_diff_on_either_platform(tmp_path):
    desk = Desk(tmp_path / "checkpost.db")
    post = desk.workflow.post(desk.submit())
    desk.close()
    assert "What changed" not in matrix_html.comms_message(post, post.current, 1).body
    _, body = slack_blocks.comms_message(post, post.current, 1)
    assert "What changed" not in str(body)


def _post_with(old: Verdict, new: Verdict) -> Post:
    """A post of two versions with these verdicts, both shown to comms (no store needed)."""
    def version(number: int, v: Verdict) -> Version:
        return Version(number, draft("Same words"), v, POSTER, 0.0,
                       comms_ref=MessageRef(f"m{number}", "#comms"))

    return Post(1, POSTER, PostState.PENDING, (version(1, old), version(2, new)), (), (),
                0.0, 0.0)

