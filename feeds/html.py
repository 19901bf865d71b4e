"""The static index page: upcoming talks, then links to subscribe to every feed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from aggregator.model import StoredTalk
from feeds.spec import FeedSpec, by_start, clean, paragraphs, status_label, when

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
.called-off h3 a{color:#777}"""

_FEED_LINKS = (
    ("rss", "RSS", "application/rss+xml"),
    ("atom", "Atom", "application/atom+xml"),
    ("ics", "iCal", "text/calendar"),
)
# Browsers and feed readers find RSS and Atom through <link rel="alternate">; iCal has no such use.
_DISCOVERABLE = _FEED_LINKS[:2]


def _text(value: str) -> str:
    return escape(clean(value))


def render_index(feeds: Sequence[FeedSpec], talks: Sequence[StoredTalk], now: datetime) -> bytes:
    """The index page: talks not yet over at `now` (aware) by start time, and subscribe links."""
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
    for spec in feeds:
        for ext, _, mime in _DISCOVERABLE:
            lines.append(
                f'<link rel="alternate" type="{mime}" title="{_text(spec.title)}" '
                f'href="{escape(spec.href(ext))}">'
            )
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
    lines += [_feed_item(spec) for spec in feeds]
    lines += ["</ul>", "</section>", "</main>", "</body>", "</html>", ""]
    return "\n".join(lines).encode()


def _talk_item(st: StoredTalk) -> str:
    talk = st.talk
    label = status_label(talk)
    link = f'<a href="{_text(talk.url)}">{_text(talk.title)}</a>'
    if label is None:
        item, heading = "<li>", link
    else:
        item = '<li class="called-off">'
        heading = f'<strong class="status">{label}</strong> <s>{link}</s>'
    parts = [
        item,
        f'<p class="when"><time datetime="{talk.start.isoformat()}">'
        f"{escape(when(talk, short=True))}</time></p>",
        f"<h3>{heading}</h3>",
    ]
    if talk.speakers:
        parts.append(f"<p>{_text(talk.speaker_line)}</p>")
    facts = [("Where", talk.location), ("Host", talk.host), ("From", st.source_name)]
    parts += [f"<p>{name}: {_text(value)}</p>" for name, value in facts if value]
    abstract = paragraphs(talk.abstract)
    if abstract:
        parts.append("<details><summary>Abstract</summary>")
        parts += [f"<p>{escape(p)}</p>" for p in abstract]
        parts.append("</details>")
    parts.append("</li>")
    return "\n".join(parts)


def _feed_item(spec: FeedSpec) -> str:
    links = [
        f'<a href="{escape(spec.href(ext))}" type="{mime}">{name}</a>'
        for ext, name, mime in _FEED_LINKS
    ]
    webcal = spec.webcal_url()
    if webcal is not None:
        links.append(f'<a href="{escape(webcal)}">Add to your calendar</a>')
    parts = ["<li>", f"<h3>{_text(spec.title)}</h3>"]
    if spec.description:
        parts.append(f"<p>{_text(spec.description)}</p>")
    parts += [f"<p>{' · '.join(links)}</p>", "</li>"]
    return "\n".join(parts)
