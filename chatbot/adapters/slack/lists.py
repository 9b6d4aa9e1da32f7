"""Block Kit for what checkpost says about waiting: a nudge, and the `pending` and `mine` lists.

The core gives the words and the comms message of each post (`workflow.listing`,
`notices.NudgeNotice`); here each post's number becomes a link to its comms message (a
permalink, which only Slack can give: `chat.getPermalink`) and the lines are laid out as
mrkdwn sections within Slack's limits. The fallback `text` has the same lines with the links
written out, for notifications and screen readers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from chatbot.adapters.slack.blocks import MAX_BLOCKS, SECTION_LIMIT, Block, _link, context, section
from chatbot.adapters.slack.mrkdwn import escape, say, slash_commands
from chatbot.messages import MessageRef
from chatbot.notices import NudgeNotice
from chatbot.workflow.listing import Listing

#: A message's permalink, or None when Slack would not give one (the list still goes out).
Permalink = Callable[[MessageRef], str | None]


def nudge_message(nudge: NudgeNotice, people: Iterable[str] = ()) -> tuple[str, list[Block]]:
    """A nudge in the post's thread: the core's words, and how to decide."""
    blocks = [section(":hourglass_flowing_sand: " + say(nudge.text, people)),
              context("React :+1: to the post's message to approve it or :-1: to ask for "
                      "changes; its buttons take a comment or an override reason.")]
    return slash_commands(nudge.text), blocks


def listing_message(listing: Listing, permalink: Permalink,
                    people: Iterable[str] = ()) -> tuple[str, list[Block]]:
    """`/checkpost pending` or `mine`: the title, then one line per post, its number linked."""
    known = set(people)
    lines, plain = [], [slash_commands(listing.title)]
    for item in listing.items:
        url = permalink(item.comms_ref) if item.comms_ref else None
        label = f"Post {item.number}"
        linked = f"<{_link(url)}|*{label}*>" if url else f"*{label}*"
        lines.append(f"• {linked} — {say(item.standing, known)}")
        plain.append(f"• {label}{f' ({url})' if url else ''} — {slash_commands(item.standing)}")
    blocks: list[Block] = [section(f"*{say(listing.title, known)}*")]
    blocks += [section(chunk) for chunk in _chunks(lines)][:MAX_BLOCKS - 2]
    if listing.more:
        blocks.append(context(escape(f"{listing.more} older post(s) not shown.")))
    return "\n".join(plain), blocks


def _chunks(lines: list[str]) -> list[str]:
    """Lines joined into sections of at most Slack's section limit."""
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + 1 + len(line) <= SECTION_LIMIT:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return chunks
