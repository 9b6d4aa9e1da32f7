"""Matrix rendering of what checkpost says about waiting: a nudge, the `pending` and `mine` lists.

The core gives the words and each post's comms message (`workflow.listing`,
`notices.NudgeNotice`); here a post's number becomes a matrix.to link to that message, which
every client opens, and each message has its HTML and its plain body, like the others (`html`).
"""

from __future__ import annotations

import html as _html
from urllib.parse import quote

from chatbot.messages import MessageRef
from chatbot.notices import NudgeNotice
from chatbot.workflow.listing import Listing

from .events import PREFIX, THUMBS_DOWN, THUMBS_UP
from .html import Rendered, for_matrix, inline


def nudge(item: NudgeNotice) -> Rendered:
    """A nudge in the post's thread: the core's words, and how to decide."""
    words = for_matrix(item.text)
    typed = f"{PREFIX} approve {item.post_number}" + (' --override "reason"' if item.blocking
                                                       else "")
    how = (f"React {THUMBS_UP} to the post's message to approve it or {THUMBS_DOWN} to ask for "
           f"changes, or type `{typed}`.")
    return Rendered(f"⏳ {words}\n{how}", f"<p>⏳ {inline(words)}</p><p>{inline(how)}</p>")


def listing(shown: Listing, via: str) -> Rendered:
    """`!checkpost pending` or `mine`: the title, then one line per post, its number linked
    (`via`: a server in the comms room, the bot's own, for the links; see `message_link`)."""
    title = for_matrix(shown.title)
    body, items = [title], []
    for item in shown.items:
        label = f"Post {item.number}"
        standing = for_matrix(item.standing)
        link = message_link(item.comms_ref, via) if item.comms_ref else None
        body.append(f"• {label}{f' ({link})' if link else ''} — {standing}")
        linked = (f'<a href="{_html.escape(link, quote=True)}">{label}</a>' if link
                  else label)
        items.append(f"<li><strong>{linked}</strong> — {inline(standing)}</li>")
    markup = f"<p><strong>{inline(title)}</strong></p>"
    if items:
        markup += f"<ul>{''.join(items)}</ul>"
    if shown.more:
        more = f"{shown.more} older post(s) not shown."
        body.append(more)
        markup += f"<p><em>{_html.escape(more)}</em></p>"
    return Rendered("\n".join(body), markup)


def message_link(ref: MessageRef, via: str) -> str | None:
    """`https://matrix.to/#/ROOM/EVENT?via=SERVER` for one of our messages (`!room/$event`).

    A room id of room version 12 names no server (`!opaque`), so a client needs `via` to find
    the room; the bot's own server is always in the comms room."""
    room, sep, event = ref.id.partition("/$")
    if not sep:
        return None
    link = f"https://matrix.to/#/{quote(room, safe='!:')}/{quote('$' + event, safe='$')}"
    return link + (f"?via={quote(via, safe=':')}" if via else "")
