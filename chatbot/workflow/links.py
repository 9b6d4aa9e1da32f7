"""Published links: which social network a URL belongs to, and which post a comment is under.

A post cross-posted to X and Facebook has one link per network; the network is read from
the URL's host so the poster only has to paste the address.

A comment's link names its post on some networks and not on others. Facebook
(`…/posts/ID?comment_id=…`, `permalink.php?story_fbid=…&comment_id=…`), Instagram
(`/p/ID/c/…`), LinkedIn (`/feed/update/urn:li:activity:…?commentUrn=…`) and YouTube
(`watch?v=ID&lc=…`) keep the post's address in the comment's; an X, Threads or Bluesky reply
is a post of its own with its own address, so whoever reports it has to say which post it is
under (`incident N URL`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

_PLATFORMS = {
    "x.com": "x", "twitter.com": "x", "t.co": "x",
    "facebook.com": "facebook", "fb.com": "facebook", "fb.watch": "facebook",
    "instagram.com": "instagram", "threads.net": "threads", "threads.com": "threads",
    "linkedin.com": "linkedin", "lnkd.in": "linkedin",
    "youtube.com": "youtube", "youtu.be": "youtube",
    "bsky.app": "bluesky", "medium.com": "medium", "whatsapp.com": "whatsapp",
    "telegram.me": "telegram", "t.me": "telegram",
}


#: The networks in the order a report lists them: one column each in the CSV.
NETWORKS: tuple[str, ...] = tuple(dict.fromkeys(_PLATFORMS.values()))


class LinkError(ValueError):
    """Not a link to a published post; the message says what to give instead."""


def link_network(url: str) -> str:
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


#: Query parameters that are part of a post's address (elsewhere a query is only tracking:
#: `?igsh=…`, `?s=20`, `?mibextid=…`).
_ADDRESS_PARAMS = {"facebook": ("story_fbid", "fbid", "id", "v"), "youtube": ("v",)}


def is_comment_under(comment: str, post: str) -> int:
    """How closely `comment`'s link is under the published `post` link: 0 when it is not,
    else the number of address parts they share (the longest match is the right post)."""
    try:
        network, post_parts = post_address(post)
        comment_network, comment_parts = post_address(comment)
    except LinkError:
        return 0
    if network != comment_network or len(post_parts) < 2:
        return 0  # a bare page (`facebook.com/cisa2k`) is not one post's address
    if comment_parts[:len(post_parts)] != post_parts:
        return 0
    return len(post_parts)


def post_address(url: str) -> tuple[str, tuple[str, ...]]:
    """The network and the parts of a link that name a post: its path, and the query
    parameters that are part of the address, so `m.`/`www.`, a trailing slash, `twitter.com`
    for `x.com` and tracking parameters make no difference."""
    network = link_network(url)
    parts = urlsplit(url.strip())
    path = tuple(p for p in parts.path.split("/") if p)
    query = dict(parse_qsl(parts.query))
    if network == "youtube":
        host = (parts.hostname or "").lower()
        video = query.get("v") or (path[0] if host.endswith("youtu.be") and path else "")
        if not video and len(path) >= 2 and path[0] in ("shorts", "live", "embed"):
            video = path[1]
        return network, (("watch", f"v={video}") if video else path)
    named = tuple(f"{k}={query[k]}" for k in _ADDRESS_PARAMS.get(network, ()) if k in query)
    return network, path + named
