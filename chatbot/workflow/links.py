"""Published links: which social platform a URL belongs to.

A post cross-posted to X and Facebook has one link per platform; the platform is read from
the URL's host so the poster only has to paste the address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_PLATFORMS = {
    "x.com": "x", "twitter.com": "x", "t.co": "x",
    "facebook.com": "facebook", "fb.com": "facebook", "fb.watch": "facebook",
    "instagram.com": "instagram", "threads.net": "threads", "threads.com": "threads",
    "linkedin.com": "linkedin", "lnkd.in": "linkedin",
    "youtube.com": "youtube", "youtu.be": "youtube",
    "bsky.app": "bluesky", "medium.com": "medium", "whatsapp.com": "whatsapp",
    "telegram.me": "telegram", "t.me": "telegram",
}


class LinkError(ValueError):
    """Not a link to a published post; the message says what to give instead."""


def link_platform(url: str) -> str:
    """`x` for https://x.com/…, `facebook` for https://m.facebook.com/…, else the bare host."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or "." not in host:
        raise LinkError(
            f"{url!r} is not a link; give the published post's full address, "
            "e.g. https://x.com/cis_a2k/status/123"
        )
    labels = host.split(".")
    for i in range(len(labels) - 1):
        if (suffix := ".".join(labels[i:])) in _PLATFORMS:
            return _PLATFORMS[suffix]
    return host.removeprefix("www.").removeprefix("m.")
