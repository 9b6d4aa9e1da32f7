"""The one way a tone review goes wrong, as far as its caller is concerned."""

from __future__ import annotations


class ReviewFailed(Exception):
    """The review could not produce an answer; `reason` is short, human and safe to show.

    Every fault (HTTP error, timeout, garbage answer) becomes one of these, so `review_tone`
    has a single place that turns it into `ReviewStatus("failed", reason)` and the rules'
    findings stand untouched.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
