"""The learned layer's lexical channel: hashed character n-grams of a text's words.

The frozen encoder is weak on the very words that make abuse: transliterated swear words,
slurs and their many spellings. Character 2-5-grams of each word (the word padded with a space
each side, so a gram can say "starts with" or "ends with") catch those spellings; each gram is
hashed to one of `2**bits` buckets with a stable hash (zlib's CRC-32 of its UTF-8 bytes, the
same on every machine and every run, never Python's salted `hash`), and a text is the set of
its buckets, L2-normalised. A linear model over them is a weight per bucket: the shipped file
holds only numbers (buckets and weights, never a gram), so no third-party text is stored.

Training (`chatbot.model.training.lexical`) and run time both call `buckets` below, so the two
cannot disagree about a text's features.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache

#: the n-gram lengths, within a word padded by one space each side
LENGTHS = (2, 3, 4, 5)
#: what the text is split into words on: anything not a letter, mark or digit (so an Indic
#: vowel sign or virama stays with its word; ZWJ/ZWNJ too, as they join conjuncts)
_NOT_WORD = re.compile(r"[^\w\u0300-\u036f\u064b-\u065f\u0670\u0900-\u0d7f\u200c\u200d]+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_HANDLE = re.compile(r"@\w+")
#: a letter repeated three or more times is read twice ("sooooo" and "soo" alike)
_RUN = re.compile(r"(.)\1{2,}")
#: words longer than this are cut (a run of letters with no spaces is not a word)
MAX_WORD = 30


def normalise(text: str) -> str:
    """NFKC, case folded, URLs and handles masked, letter runs shortened, hashtags read as
    words: the text the n-grams are taken from."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(" ", text)
    return _RUN.sub(r"\1\1", text)


def words(text: str) -> list[str]:
    return [w[:MAX_WORD] for w in _NOT_WORD.split(normalise(text).replace("_", " ")) if w]


def buckets(text: str, bits: int) -> list[int]:
    """The sorted, distinct buckets (in `range(2**bits)`) of `text`'s word n-grams."""
    out: set[int] = set()
    for word in words(text):
        out.update(_word_buckets(word, bits))
    return sorted(out)


@lru_cache(maxsize=65536)
def _word_buckets(word: str, bits: int) -> frozenset[int]:
    padded = f" {word} "
    mask = (1 << bits) - 1
    return frozenset(
        zlib.crc32(padded[i : i + n].encode("utf-8")) & mask
        for n in LENGTHS
        for i in range(len(padded) - n + 1)
    )
