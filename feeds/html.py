"""The static index page: upcoming talks, then links to subscribe to every feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from aggregator.model import Status, StoredTalk
from feeds.spec import (
    FeedSpec,
    by_start,
    clean,
    listed_by_html,
    moved_note,
    paragraphs,
    safe_html,
    status_label,
    when,
)

__all__ = ["render_index"]

_CSS = """\
body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;color:#222}
a{color:#0645ad}
ol.talks,ul.feeds{list-style:none;padding:0}
ol.talks>li,ul.feeds>li{border-top:1px solid #ddd;padding:.75rem 0}
h3{margin:.25rem 0;font-size:1.1rem}
p{margin:.25rem 0}
.when{color:#555}
.status{color:#b00;text-transform:uppercase;font-size:.85rem}
.tentative .status{color:#a60}
.moved{color:#a60}
.called-off h3 a{color:#777}"""

_FEED_LINKS = (
    ("rss", "RSS", "application/rss+xml"),
    ("atom", "Atom", "application/atom+xml"),
    ("ics", "iCal", "text/calendar"),
)
# Browsers and feed readers find RSS and Atom through <link rel="alternate">; iCal has no such use.
_DISCOVERABLE = _FEED_LINKS[:2]
_ATOM, _ICAL = _FEED_LINKS[1:]
# Struck through: these will not take place as announced. A tentative talk may, so it is not.
_CALLED_OFF = (Status.CANCELLED, Status.POSTPONED)


def _text(value: str) -> str:
    return escape(clean(value))


def render_index(
    feeds: Sequence[FeedSpec],
    talks: Sequence[StoredTalk],
    now: datetime,
    changes: FeedSpec | None = None,
) -> bytes:
    """The index page: talks not yet over at `now` (aware) by start time, and subscribe links.

    Each spec in `feeds` gets its RSS, Atom and iCal links under its title; `changes`, when
    given, is the changes feed (Atom only: `changes.href("atom")`), listed last.
    """
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now.isoformat()}")
    upcoming = [st for st in by_start(talks) if st.talk.effective_end >= now]
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Talks</title>",
    ]
    discoverable = [(spec, ext, mime) for spec in feeds for ext, _, mime in _DISCOVERABLE]
    if changes is not None:
        discoverable.append((changes, _ATOM[0], _ATOM[2]))
    lines += [
        f'<link rel="alternate" type="{mime}" title="{_text(spec.title)}" '
        f'href="{escape(spec.href(ext))}">'
        for spec, ext, mime in discoverable
    ]
    lines += [
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        "<h1>Talks</h1>",
        '<section aria-labelledby="upcoming">',
        '<h2 id="upcoming">Upcoming talks</h2>',
    ]
    if upcoming:
        lines.append('<ol class="talks">')
        lines += [_talk_item(st) for st in upcoming]
        lines.append("</ol>")
    else:
        lines.append("<p>No upcoming talks.</p>")
    lines += [
        "</section>",
        '<section aria-labelledby="subscribe">',
        '<h2 id="subscribe">Subscribe</h2>',
        '<ul class="feeds">',
    ]
    lines += [_feed_item(spec, _FEED_LINKS) for spec in feeds]
    if changes is not None:
        lines.append(_feed_item(changes, (_ATOM,)))
    lines += ["</ul>", "</section>", "</main>", "</body>", "</html>", ""]
    return "\n".join(lines).encode()


def _talk_item(st: StoredTalk) -> str:
    talk = st.talk
    label = status_label(talk)
    link = f'<a href="{_text(talk.url)}">{_text(talk.title)}</a>'
    if label is None:
        item, heading = "<li>", link
    elif talk.status in _CALLED_OFF:
        item = '<li class="called-off">'
        heading = f'<strong class="status">{label}</strong> <s>{link}</s>'
    else:
        item = '<li class="tentative">'
        heading = f'<strong class="status">{label}</strong> {link}'
    parts = [item]
    moved = moved_note(st)
    if moved:
        parts.append(f'<p class="moved">{escape(moved)}</p>')
    parts += [
        f'<p class="when"><time datetime="{talk.start.isoformat()}">'
        f"{escape(when(talk, short=True))}</time></p>",
        f"<h3>{heading}</h3>",
    ]
    if talk.speakers:
        parts.append(f"<p>{_text(talk.speaker_line)}</p>")
    facts = [("Where", talk.location), ("Host", talk.host)]
    parts += [f"<p>{name}: {_text(value)}</p>" for name, value in facts if value]
    listed_by = listed_by_html(st)
    if listed_by:
        parts.append(f"<p>Listed by: {listed_by}</p>")
    elif st.source_name:
        parts.append(f"<p>From: {_text(st.source_name)}</p>")
    abstract = paragraphs(talk.abstract)
    if abstract:
        parts.append("<details><summary>Abstract</summary>")
        parts += [f"<p>{escape(p)}</p>" for p in abstract]
        parts.append("</details>")
    parts.append("</li>")
    return safe_html("\n".join(parts))


def _feed_item(spec: FeedSpec, formats: Sequence[tuple[str, str, str]]) -> str:
    links = [
        f'<a href="{escape(spec.href(ext))}" type="{mime}">{name}</a>'
        for ext, name, mime in formats
    ]
    webcal = spec.webcal_url()
    if webcal is not None and _ICAL in formats:
        links.append(f'<a href="{escape(webcal)}">Add to your calendar</a>')
    parts = ["<li>", f"<h3>{_text(spec.title)}</h3>"]
    if spec.description:
        parts.append(f"<p>{_text(spec.description)}</p>")
    parts += [f"<p>{' · '.join(links)}</p>", "</li>"]
    return safe_html("\n".join(parts))
