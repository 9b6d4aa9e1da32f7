"""How long a post is on the network it goes to, counted the way that network counts it.

Every network counts differently, and Indic text shows it most: `नमस्ते` is six code points
and three grapheme clusters, so it is 6 on X, Facebook, Instagram and LinkedIn and 3 on
Mastodon and Bluesky.

- **X** weights each code point by its range (twitter-text's configuration v3, the one X
  publishes): U+0000–U+10FF (Latin, Cyrillic, Greek, Arabic, Hebrew and every Indic script
  among them) and three ranges of general punctuation count 1, everything else (CJK, most
  symbols) 2; an emoji, however many code points it is made of, counts 2; a URL, with or
  without `https://`, counts 23 whatever its length; the text is NFC-normalised first. The
  limit is 280.
- **Mastodon** counts grapheme clusters after replacing each `http(s)://` URL with 23
  characters and each `@user@domain` mention with its `@user` part. The limit is 500, the
  default of the software and of most servers (a server may raise it).
- **Bluesky** counts grapheme clusters of the text as sent, URLs included; the limit is 300.
- **Facebook**, **Instagram** and **LinkedIn** count characters (code points here): 63,206,
  2,200 and 3,000.

Grapheme clusters are those of Unicode's UAX #29 as the `regex` library implements them,
Indic conjuncts included (`क्ष` is one cluster in Devanagari and Bengali since Unicode 15.1).

A kept Python port of twitter-text exists (`twitter-text-parser` on PyPI, last released in
2023), but it imports `pkg_resources`, which setuptools 82 removed, and its emoji table is
Unicode 12; the rules are small enough to keep here, with tests from twitter-text's own
conformance examples.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import regex

from chatbot.policy.model import Finding

#: The label of a length finding: not one of the policy's eleven, as no policy line sets a
#: length; the network does.
LENGTH_LABEL = "length"


@dataclass(frozen=True)
class Network:
    name: str
    title: str
    limit: int
    #: What the count counts, for the message: "characters" or "graphemes".
    unit: str
    #: How the network counts, in a sentence a poster can act on.
    how: str
    link: str
    #: The draft's pieces, in order, each with its start in the draft and its cost.
    pieces: Callable[[str], Iterator[tuple[int, int]]]

    def length(self, text: str) -> int:
        return sum(cost for _, cost in self.pieces(text))

    def overflow_start(self, text: str) -> int | None:
        """Where in `text` the count first passes the limit, or None when it fits."""
        total = 0
        for start, cost in self.pieces(text):
            total += cost
            if total > self.limit:
                return start
        return None


def fit_finding(text: str, network: Network) -> Finding | None:
    """A `suggestion` when `text` is over `network`'s limit: "312 of 280 characters"."""
    start = network.overflow_start(text)
    if start is None:
        return None
    length = network.length(text)
    over = length - network.limit
    return Finding(
        rule=f"length-{network.name}",
        label=LENGTH_LABEL,
        level="suggestion",
        message=(f"{length} of {network.limit} {network.unit}: too long for {network.title} "
                 f"by {over}. {network.how} Shorten it, or split it into a thread."),
        policy=f"{network.title}: at most {network.limit:,} {network.unit} a post",
        link=network.link,
        span=(start, len(text.rstrip()) or len(text)),
        suggestion=f"Cut {over} {network.unit}.",
    )


# --- how each network counts ---------------------------------------------------------------

#: X's weighting (twitter-text configuration v3): code point ranges that weigh 1; the rest 2.
X_LIGHT_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037),
)
URL_COST = 23

_GRAPHEME = regex.compile(r"\X")
_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}")
#: What makes a pictograph an emoji rather than a text symbol: emoji presentation, a
#: variation selector 16, a skin tone, or a zero-width joiner sequence.
_EMOJI_FORM = regex.compile(r"\p{Emoji_Presentation}|\p{Emoji_Modifier}|[\uFE0F\u200D]")
_FLAG_OR_KEYCAP = regex.compile(r"\p{Regional_Indicator}{2}|[0-9#*]\uFE0F?\u20E3")

_GENERIC_TLDS = ("com|org|net|edu|gov|mil|int|info|biz|name|pro|wiki|app|dev|io|social|blog|"
                 "news|online|site|xyz|tech|page|link|live|media|art|global|foundation")
#: A URL as twitter-text finds one: with `http(s)://`, or a bare domain whose top-level
#: domain is a country code (two letters) or a common generic one, not after a letter, digit,
#: `@` (an e-mail address), `$`, `#`, or `-_./`.
_X_URL = regex.compile(
    r"(?<![A-Za-z0-9@＠$#＃\-_./])"
    r"(?:https?://[^\s<>\"]+"
    rf"|(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.){{1,8}}(?:{_GENERIC_TLDS}|[a-z]{{2}})"
    r"(?![a-z0-9@-])(?:[/?#][^\s<>\"]*)?)",
    regex.IGNORECASE,
)
_PROTOCOL_URL = regex.compile(r"(?<![A-Za-z0-9@＠$#＃])https?://[^\s<>\"]+", regex.IGNORECASE)
#: A Mastodon mention of a remote account: only `@user` of `@user@domain` counts.
_REMOTE_MENTION = regex.compile(r"(?<![\w@])@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)@[\w.-]+\w")
_TRAILING = ".,;:!?)]}'\"”’»…"


def _x_pieces(text: str) -> Iterator[tuple[int, int]]:
    """Each URL costs 23, each emoji 2, every other code point 1 or 2 by its range."""
    urls = _url_spans(_X_URL, text)
    position = 0
    while position < len(text):
        if position in urls:
            yield position, URL_COST
            position = urls[position]
            continue
        cluster = _GRAPHEME.match(text, position).group()
        if _is_emoji(cluster):
            yield position, 2
        else:
            weight = sum(_x_weight(ch) for ch in unicodedata.normalize("NFC", cluster))
            yield position, weight
        position += len(cluster)


def _x_weight(ch: str) -> int:
    code = ord(ch)
    return 1 if any(lo <= code <= hi for lo, hi in X_LIGHT_RANGES) else 2


def _is_emoji(cluster: str) -> bool:
    if _FLAG_OR_KEYCAP.fullmatch(cluster):
        return True
    return bool(_PICTOGRAPHIC.search(cluster) and _EMOJI_FORM.search(cluster))


def _mastodon_pieces(text: str) -> Iterator[tuple[int, int]]:
    """Grapheme clusters; a URL with its protocol is 23, `@user@domain` counts as `@user`."""
    urls = _url_spans(_PROTOCOL_URL, text)
    mentions = {m.start(): (m.end(), len(m.group(1)) + 1) for m in _REMOTE_MENTION.finditer(text)}
    position = 0
    while position < len(text):
        if position in urls:
            yield position, URL_COST
            position = urls[position]
        elif position in mentions:
            end, cost = mentions[position]
            yield position, cost
            position = end
        else:
            cluster = _GRAPHEME.match(text, position).group()
            yield position, 1
            position += len(cluster)


def _grapheme_pieces(text: str) -> Iterator[tuple[int, int]]:
    for m in _GRAPHEME.finditer(text):
        yield m.start(), 1


def _character_pieces(text: str) -> Iterator[tuple[int, int]]:
    for i in range(len(text)):
        yield i, 1


def _url_spans(pattern: regex.Pattern, text: str) -> dict[int, int]:
    """Start → end of each URL, trailing punctuation left out as the networks leave it."""
    spans = {}
    for m in pattern.finditer(text):
        url = m.group().rstrip(_TRAILING)
        if url.count("(") > url.count(")") and m.group()[len(url):].startswith(")"):
            url += ")"  # a Wikipedia link such as …/Pune_(city)
        spans[m.start()] = m.start() + len(url)
    return spans


NETWORKS: dict[str, Network] = {
    n.name: n
    for n in (
        Network("x", "X", 280, "characters",
                "X counts each link as 23, each emoji as 2 and CJK characters as 2; "
                "Indic letters and signs count 1 each.",
                "https://docs.x.com/fundamentals/counting-characters", _x_pieces),
        Network("mastodon", "Mastodon", 500, "characters",
                "Mastodon counts what you see as one character (a Devanagari conjunct, an "
                "emoji) once and each link as 23.",
                "https://docs.joinmastodon.org/user/posting/#text", _mastodon_pieces),
        Network("bluesky", "Bluesky", 300, "characters",
                "Bluesky counts what you see as one character (a Devanagari conjunct, an "
                "emoji) once, links in full.",
                "https://docs.bsky.app/docs/advanced-guides/post-richtext", _grapheme_pieces),
        Network("facebook", "Facebook", 63_206, "characters",
                "Facebook counts every letter, vowel sign and virama.",
                "", _character_pieces),
        Network("instagram", "Instagram", 2_200, "characters",
                "Instagram counts every letter, vowel sign and virama of a caption.",
                "https://developers.facebook.com/docs/instagram-platform/"
                "instagram-graph-api/reference/ig-user/media", _character_pieces),
        Network("linkedin", "LinkedIn", 3_000, "characters",
                "LinkedIn counts every letter, vowel sign and virama.",
                "", _character_pieces),
    )
}


def network(name: str) -> Network:
    """The network called `name` (`x`, `mastodon`, …); ValueError naming the choices."""
    try:
        return NETWORKS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown platform {name!r}: use one of {', '.join(NETWORKS)}") from None
