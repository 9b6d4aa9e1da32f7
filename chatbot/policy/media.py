"""Media credits and licences: what the draft carries and whether the policy allows it.

The policy allows media "owned or co-owned by CIS-A2K …, in the public domain or licensed under
CC0", and media "used with permission from the author … in any written form". Everything else,
CC BY and CC BY-SA included, and anything whose licence is not stated, is a finding. Media come
from two places: what the poster declares (`--media "SOURCE; LICENSE"`, the chat form) and the
credit lines in the text itself ("Photo: …", "📷 © The Hindu", "Image courtesy: Google").

The words that mark a credit and the words of each licence class are policy data (the `media:`
section of the policy YAML), so another organisation or language adds its own without code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chatbot.policy.gates import TermGroup
from chatbot.policy.model import MediaDeclaration
from chatbot.policy.normalise import Normalised, normalise

#: Classes in the order they are tried: a "verbal permission" must not pass as "permission",
#: and "CC BY-SA via Wikimedia Commons" must not pass as Commons being free.
CLASS_ORDER: tuple[str, ...] = (
    # A licence the poster states decides before where the file was found: "Downloaded from
    # Wikimedia Commons; CC0" is CC0. Verbal permission is checked first, since a permission
    # "given on the phone" must not read as written.
    "verbal-permission",
    "restricted",
    "cc0",
    "public-domain",
    "written-permission",
    "own",
    "web-found",
    "unclear-permission",
)
ALLOWED: frozenset[str] = frozenset({"cc0", "public-domain", "written-permission", "own"})
#: Classes a rule can ask for besides those above.
EXTRA_CLASSES: tuple[str, ...] = ("none-stated",)


@dataclass(frozen=True)
class MediaItem:
    """One piece of media, where it was mentioned and the licence class it falls in."""

    description: str
    klass: str
    span: tuple[int, int] | None  # in the draft's original text; None for a declaration

    @property
    def allowed(self) -> bool:
        return self.klass in ALLOWED


@dataclass(frozen=True)
class MediaVocabulary:
    """Compiled `media:` section: credit markers and the patterns of each licence class."""

    credit: TermGroup
    classes: Mapping[str, TermGroup]

    def classify(self, description: str) -> str:
        folded = normalise(description).text
        for klass in CLASS_ORDER:
            pattern = self.classes.get(klass)
            if pattern is not None and pattern.search(folded):
                return klass
        return "none-stated"


def media_items(
    norm: Normalised,
    declared: Sequence[MediaDeclaration],
    vocabulary: MediaVocabulary,
    present: set[str] | None = None,
) -> list[MediaItem]:
    """Every declared medium and every credit line in `text`, each with its licence class.

    A declaration and a credit line usually describe the same photo; both are kept, because
    either alone may be the one that tells the licence. The engine reports the worst.
    """
    items = [
        MediaItem(
            description=f"{d.source}; {d.license}".strip("; "),
            klass=vocabulary.classify(f"{d.source} {d.license}"),
            span=None,
        )
        for d in declared
    ]
    text = norm.original
    for start, end in credit_lines(norm, vocabulary.credit, present):
        klass = vocabulary.classify(text[start:end])
        if klass == "none-stated" and declared:
            continue  # a bare name in the text; the declaration already says the licence
        items.append(MediaItem(text[start:end].strip(), klass, (start, end)))
    return items


def credit_lines(
    norm: Normalised, credit: TermGroup, present: set[str] | None = None
) -> list[tuple[int, int]]:
    """Spans of the credit lines: from a credit marker to the end of its line or bracket."""
    spans: list[tuple[int, int]] = []
    for m_start, m_end in credit.spans(norm.text, present):
        start, _ = norm.span(m_start, m_end)
        end = _credit_end(norm.original, start)
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


def _credit_end(text: str, start: int) -> int:
    newline = text.find("\n", start)
    end = len(text) if newline < 0 else newline
    close = text.find(")", start, end)
    if close >= 0 and "(" not in text[start:close]:
        end = close
    return end
