"""The static index page: upcoming talks by day, a search box, and a way to subscribe to every feed.

One self-contained HTML file: a small inline style sheet and script, no framework, nothing
loaded from elsewhere (its Content-Security-Policy forbids it). Without JavaScript every talk is
listed with everything it says; the script adds what only a browser can know or do: a search
box and a source menu that narrow the list in place, each talk's time in the reader's own zone
when that differs, "Copy link" buttons, and "Add to calendar" (webcal:) links built from the
page's own address when no `base_url` gave one.

Each talk is shown in its own time zone and filed under its own local date, so a talk in London
and one in New York at the same instant may sit under different days. The page says when it was
made (and, for a run at a fixed time such as the demo's, the time its talks are as of), so it
changes every run; the feeds do not.
"""

from __future__ import annotations

import re
from base64 import b64encode
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from hashlib import sha256
from html import escape
from itertools import groupby, islice

from aggregator.model import Status, StoredTalk, Talk
from feeds.ical import event_file
from feeds.opml import OPML_FILE
from feeds.spec import (
    FeedSpec,
    by_start,
    clean,
    clock_span,
    listed_by_html,
    local_date,
    moved_note,
    paragraphs,
    safe_html,
    shown_title,
    source_links,
    status_label,
)

__all__ = ["INDEX_CSP", "INDEX_TALKS", "calendar_talks", "render_index"]

_CSS = """\
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--line:#d8dee4;--bg:#fff;\
--panel:#f6f8fa;--accent:#0b57d0;--bad:#b42318;--warn:#8a4b00}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9aa5b1;--line:#30363d;\
--bg:#0d1117;--panel:#161b22;--accent:#79b8ff;--bad:#ff7b72;--warn:#e3b341}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg);\
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
main{max-width:52rem;margin:0 auto;padding:1rem 1rem 3rem}
a{color:var(--accent);text-underline-offset:.15em}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
h1{font-size:2rem;line-height:1.2;margin:1rem 0 .25rem}
h2{font-size:1.4rem;margin:2.5rem 0 .75rem}
h3{font-size:1.05rem;margin:0}
h4{font-size:1.1rem;line-height:1.35;margin:0}
p{margin:.15rem 0}
.lede{color:var(--muted);margin-bottom:1rem}
.updated{color:var(--muted);font-size:.9rem;margin-bottom:1rem}
.filters{display:flex;flex-wrap:wrap;gap:.75rem 1rem;padding:.75rem;background:var(--panel);\
border:1px solid var(--line);border-radius:.5rem}
.filters p{display:flex;flex-direction:column;flex:1 1 14rem;min-width:0;margin:0}
label{font-weight:600;font-size:.9rem}
input,select,button{font:inherit;color:inherit;min-width:0;max-width:100%}
input,select{background:var(--bg);border:1px solid var(--muted);border-radius:.375rem;\
padding:.4rem .5rem}
.count{color:var(--muted);margin:.75rem 0 0}
.day h3{margin-top:1.75rem;padding-bottom:.25rem;border-bottom:2px solid var(--fg)}
ol.talks,ul.feeds{list-style:none;margin:0;padding:0}
li.talk{display:flex;gap:.25rem 1.25rem;padding:.9rem 0;border-bottom:1px solid var(--line)}
li.talk>.when{flex:0 0 8.5rem;margin:.1rem 0 0;font-variant-numeric:tabular-nums}
li.talk>div{flex:1;min-width:0}
.when,.facts{color:var(--muted)}
.yours{display:block;font-size:.85rem;margin-top:.15rem}
p.add-talk{margin-top:.35rem;font-size:.95rem}
.facts{font-size:.95rem}
.speakers{font-weight:500;margin-top:.2rem}
details{margin-top:.35rem}
summary{cursor:pointer;color:var(--accent);width:max-content}
details p{margin:.5rem 0;max-width:40rem}
.status{display:inline-block;font-size:.72rem;font-weight:700;letter-spacing:.05em;\
text-transform:uppercase;border:1.5px solid;border-radius:.25rem;padding:0 .35rem;\
margin-right:.35rem;vertical-align:.12em;color:var(--bad)}
.tentative .status{color:var(--warn)}
h4 a{text-decoration:none}
h4 a:hover{text-decoration:underline}
.called-off h4 s,.called-off h4 a{color:var(--muted)}
.moved{color:var(--warn);font-weight:600}
ul.feeds{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,22rem),1fr));gap:1rem}
li.feed{padding:1rem;border:1px solid var(--line);border-radius:.5rem;background:var(--panel)}
li.feed>p{color:var(--muted);font-size:.95rem}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;margin:.6rem 0}
a.add,button.copy{display:inline-block;border-radius:.375rem;padding:.35rem .75rem;\
font-weight:600;text-decoration:none;cursor:pointer}
a.add{background:var(--accent);color:var(--bg)}
button.copy{background:var(--bg);color:var(--accent);border:1px solid var(--accent)}
.address{margin:.6rem 0 0}
.address>span{display:block;color:var(--muted);font-size:.9rem}
.address div{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
code.url{flex:1 1 100%;min-width:0;font-size:.9rem;padding:.3rem .45rem;background:var(--bg);\
border:1px solid var(--line);border-radius:.375rem;overflow-wrap:anywhere;user-select:all}
.note{color:var(--muted);font-size:.9rem}
.opml{margin-top:1rem}
@media (max-width:40rem){li.talk{display:block}h1{font-size:1.6rem}}"""

# Progressive: the filters and copy buttons stay hidden unless this runs.
_SCRIPT = """\
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const fold = (text) => text.normalize("NFD").replace(/[\\u0300-\\u036f]/g, "").toLowerCase();
  const filters = document.getElementById("filters");
  if (filters) {
    const query = document.getElementById("q");
    const source = document.getElementById("source");
    const count = document.getElementById("count");
    const days = [...document.querySelectorAll("section.day")];
    const talks = [...document.querySelectorAll("li.talk")].map((li) => ({
      li,
      sources: li.dataset.sources.split(" "),
      text: fold([...li.querySelectorAll(".title, .speakers, .abstract")]
        .map((part) => part.textContent).join(" ")),
    }));
    const update = () => {
      const words = fold(query.value).split(/\\s+/).filter(Boolean);
      let shown = 0;
      for (const talk of talks) {
        talk.li.hidden = !((!source.value || talk.sources.includes(source.value))
          && words.every((word) => talk.text.includes(word)));
        shown += talk.li.hidden ? 0 : 1;
      }
      for (const day of days) day.hidden = !day.querySelector("li.talk:not([hidden])");
      count.textContent = shown === 1 ? "1 talk" : `${shown} talks`;
    };
    query.addEventListener("input", update);
    source.addEventListener("change", update);
    filters.hidden = false;
    update();
  }
  for (const button of document.querySelectorAll("button.copy")) {
    const box = button.parentElement.querySelector("code");
    const url = new URL(button.dataset.url, document.baseURI).href;
    const note = document.createElement("span");
    note.className = "note";
    note.setAttribute("role", "status");
    button.after(note);
    box.textContent = url;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(url);
        note.textContent = "Copied";
      } catch {
        // No clipboard access (an old browser, or permission refused): select the address.
        const range = document.createRange();
        range.selectNodeContents(box);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        note.textContent = document.execCommand("copy") ? "Copied" : "Press Ctrl+C to copy";
      }
    });
  }
  // A subscription needs the feed's absolute address: served over HTTP, the page knows it.
  if (/^https?:$/.test(location.protocol)) {
    for (const add of document.querySelectorAll("a.add[hidden]")) {
      const url = new URL(add.getAttribute("href"), document.baseURI);
      add.href = `webcal://${url.host}${url.pathname}`;
      add.hidden = false;
    }
  }
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const shown = { weekday: "short", month: "short", day: "numeric", hour: "numeric",
    minute: "2-digit" };
  const clock = (zone, named) => new Intl.DateTimeFormat("en-US",
    { ...shown, timeZone: zone, ...(named ? { timeZoneName: "short" } : {}) });
  for (const time of document.querySelectorAll("time[data-zone]")) {
    const start = new Date(time.dateTime);
    const end = new Date(time.dataset.end);
    // The same wall-clock time (the reader's zone, or one that agrees with it): nothing to add.
    if (clock(time.dataset.zone).format(start) === clock(here).format(start)) continue;
    const yours = clock(here, true);
    const line = document.createElement("span");
    line.className = "yours";
    line.textContent = "Your time: "
      + (yours.formatRange ? yours.formatRange(start, end) : yours.format(start));
    time.after(line);
  }
});"""


def _csp_hash(text: str) -> str:
    return "'sha256-" + b64encode(sha256(text.encode()).digest()).decode() + "'"


# Nothing runs or loads but our own style sheet and script, whatever a talk's text holds;
# images only from the page's own server, for the favicon browsers ask for by themselves.
# `talkfeed serve` sends it as a header too, so a change here is the only change to make.
INDEX_CSP = (
    f"default-src 'none'; script-src {_csp_hash(_SCRIPT)}; style-src {_csp_hash(_CSS)}; "
    "img-src 'self'; base-uri 'none'; form-action 'none'"
)

_FEED_LINKS = (
    ("rss", "RSS", "application/rss+xml"),
    ("atom", "Atom", "application/atom+xml"),
    ("feed.json", "JSON Feed", "application/feed+json"),
    ("ics", "iCal", "text/calendar"),
)
# Browsers and feed readers find feeds through <link rel="alternate">; iCal has no such use.
_DISCOVERABLE = _FEED_LINKS[:3]
_ATOM, _ICAL = _FEED_LINKS[1], _FEED_LINKS[3]
# Struck through: these will not take place as announced. A tentative talk may, so it is not.
_CALLED_OFF = (Status.CANCELLED, Status.POSTPONED)


INDEX_TALKS = 500
"""The most talks the index page lists, the soonest first: a page is for looking ahead, and
the feeds hold every talk. Each listed talk has a calendar file of its own."""


def _text(value: str) -> str:
    return escape(clean(value))


def _plural(count: int) -> str:
    return "1 talk" if count == 1 else f"{count} talks"


def calendar_talks(talks: Sequence[StoredTalk], now: datetime) -> list[StoredTalk]:
    """The talks the index page at `now` offers one by one for a calendar, each of which needs
    its `render_event` file at `event_file(id)`: those listed (not yet over) and not called off.
    """
    listed = _upcoming(talks, now)[:INDEX_TALKS]
    return [st for st in listed if st.talk.status not in _CALLED_OFF]


def _upcoming(talks: Sequence[StoredTalk], now: datetime) -> list[StoredTalk]:
    """The first `INDEX_TALKS` talks not over at `now`, and one more if there are more."""
    if now.tzinfo is None:
        raise ValueError(f"now must be timezone-aware, got {now.isoformat()}")
    return list(
        islice((st for st in by_start(talks) if st.talk.effective_end >= now), INDEX_TALKS + 1)
    )


def render_index(
    feeds: Sequence[FeedSpec],
    talks: Sequence[StoredTalk],
    now: datetime,
    changes: FeedSpec | None = None,
    made: datetime | None = None,
) -> bytes:
    """The index page: talks not yet over at `now` (aware), by local day, and subscribe links.

    Each spec in `feeds` gets a card: its address in full with a "Copy link" button, "Add to
    calendar" (a webcal:// link, from its `base_url` or, with JavaScript, from the page's own
    address), and RSS, Atom, JSON Feed and iCal links; `changes`, when given, is the changes
    feed (Atom only: `changes.href("atom")`), listed last. Each talk in `calendar_talks` gets an
    "Add to calendar" link to its own file, `event_file(id)`. The page links to the OPML file of
    all feeds, `OPML_FILE`. The caller writes those files.

    The page says it was updated at `now`; `made`, when the page was made later than the time
    its talks are as of (a run at a fixed time), is then the update time and `now` the "as of".
    """
    upcoming = _upcoming(talks, now)
    more = len(upcoming) > INDEX_TALKS
    upcoming = upcoming[:INDEX_TALKS]
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{INDEX_CSP}">',
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
        f"<style>{_CSS}</style>",
        f"<script>{_SCRIPT}</script>",
        "</head>",
        "<body>",
        "<main>",
        "<h1>Talks</h1>",
        '<p class="lede">Upcoming seminars and colloquia, each in its own time zone. '
        '<a href="#subscribe">Subscribe</a> to follow them in a calendar or feed reader.</p>',
        _updated(now, made),
        '<section aria-labelledby="upcoming">',
        '<h2 id="upcoming">Upcoming talks</h2>',
    ]
    if upcoming:
        lines.append(_filters(upcoming))
        lines.append(f'<p class="count" id="count" role="status">{_plural(len(upcoming))}</p>')
        lines += _days(upcoming)
        if more:
            lines.append(
                f'<p class="more">These are the next {INDEX_TALKS} talks; the feeds below hold '
                "every one.</p>"
            )
    else:
        lines.append("<p>No upcoming talks.</p>")
    lines += [
        "</section>",
        '<section aria-labelledby="subscribe">',
        '<h2 id="subscribe">Subscribe</h2>',
        '<p class="lede">“Add to calendar” subscribes your calendar app to a feed (a webcal: '
        "link), so new, moved and cancelled talks show up by themselves; or paste the calendar "
        "address into your calendar’s “subscribe by URL”. RSS, Atom and JSON Feed are for feed "
        "readers.</p>",
        '<ul class="feeds">',
    ]
    lines += [_feed_item(spec, _FEED_LINKS) for spec in feeds]
    if changes is not None:
        lines.append(_feed_item(changes, (_ATOM,)))
    lines += [
        "</ul>",
        f'<p class="opml"><a href="{OPML_FILE}" type="text/x-opml">All feeds as OPML</a>: '
        "import every feed into a feed reader at once.</p>",
        "</section>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode()


def _utc(moment: datetime) -> str:
    """ "<time datetime="2026-03-10T18:30:00Z">2026-03-10 18:30 UTC</time>", to the minute."""
    stamp = moment.astimezone(UTC).replace(second=0, microsecond=0)
    machine = stamp.isoformat().replace("+00:00", "Z")
    return f'<time datetime="{machine}">{stamp:%Y-%m-%d %H:%M} UTC</time>'


def _updated(now: datetime, made: datetime | None) -> str:
    """When the page was made, and the time its talks are as of when that was another."""
    if made is None or _utc(made) == _utc(now):
        return f'<p class="updated">Updated {_utc(now)}.</p>'
    return f'<p class="updated">Updated {_utc(made)}, with the talks as of {_utc(now)}.</p>'


def _filters(upcoming: Sequence[StoredTalk]) -> str:
    """The search box and source menu; hidden until the script shows them, as only it can
    make them work."""
    names: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for st in upcoming:
        links = source_links(st)
        for link in links:
            names.setdefault(link.source, clean(link.name))
        counts.update({link.source for link in links})
    order = sorted(names, key=lambda source: (names[source].casefold(), source))
    options = [
        f'<option value="{escape(source)}">{escape(names[source])} ({counts[source]})</option>'
        for source in order
    ]
    return safe_html(
        "\n".join(
            [
                '<div class="filters" id="filters" role="search" hidden>',
                '<p><label for="q">Search talks</label>',
                '<input type="search" id="q" placeholder="Title, speaker or abstract" '
                'autocomplete="off"></p>',
                '<p><label for="source">Source</label>',
                '<select id="source">',
                '<option value="">All sources</option>',
                *options,
                "</select></p>",
                "</div>",
            ]
        )
    )


def _local_day(talk: Talk) -> date:
    """The date the talk starts on where it takes place (`start` is in the talk's zone)."""
    return talk.start.date()


def _days(upcoming: Sequence[StoredTalk]) -> list[str]:
    """One section per local date, in date order; talks within a day by start instant."""
    ordered = sorted(upcoming, key=lambda st: (_local_day(st.talk), st.talk.start, st.talk.id))
    lines = []
    for day, group in groupby(ordered, key=lambda st: _local_day(st.talk)):
        items = list(group)
        anchor = f"day-{day.isoformat()}"
        lines += [
            f'<section class="day" aria-labelledby="{anchor}">',
            f'<h3 id="{anchor}">{local_date(items[0].talk.start)}</h3>',
            '<ol class="talks">',
            *(_talk_item(st) for st in items),
            "</ol>",
            "</section>",
        ]
    return lines


def _time(talk: Talk) -> str:
    """The talk's local times under its day's heading: "2:00 PM - 3:00 PM EDT" or "All day"."""
    if not talk.all_day:
        # Kept whole where the line breaks: "2:00 PM -" above "3:00 PM EDT", never "PM EDT".
        clocks = re.sub(r" (?=AM|PM)", "\N{NO-BREAK SPACE}", clock_span(talk, short=True))
        start, _, zone = clocks.rpartition(" ")
        return f"{start}\N{NO-BREAK SPACE}{zone}"
    last = talk.effective_end - timedelta(days=1)
    if last.date() > talk.start.date():
        return f"All day, until {local_date(last, short=True)}"
    return "All day"


def _time_element(talk: Talk) -> str:
    """The talk's local times; for the script, with the end and the zone, which it shows in the
    reader's own zone when that differs. An all-day talk is a date where it takes place."""
    start = f'datetime="{talk.start.isoformat()}"'
    if talk.all_day:
        return f"<time {start}>{escape(_time(talk))}</time>"
    end = talk.effective_end.isoformat()
    return (
        f'<time {start} data-end="{end}" data-zone="{escape(talk.timezone)}">'
        f"{escape(_time(talk))}</time>"
    )


def _talk_item(st: StoredTalk) -> str:
    talk = st.talk
    label = status_label(talk)
    sources = " ".join(dict.fromkeys(link.source for link in source_links(st)))
    name = escape(shown_title(st))
    link = f'<a href="{_text(talk.url)}">{name}</a>' if talk.url else name
    if label is None:
        state, heading = "talk", link
    elif talk.status in _CALLED_OFF:
        state, heading = "talk called-off", f'<strong class="status">{label}</strong> <s>{link}</s>'
    else:
        state, heading = "talk tentative", f'<strong class="status">{label}</strong> {link}'
    parts = [
        f'<li class="{state}" data-sources="{escape(sources)}">',
        f'<p class="when">{_time_element(talk)}</p>',
        "<div>",
        # The search reads `.title`; a made-up "Talk by …" is not what the page said.
        f'<h4 class="{"title" if talk.title else "untitled"}">{heading}</h4>',
    ]
    moved = moved_note(st)
    if moved:
        parts.append(f'<p class="moved">{escape(moved)}</p>')
    if talk.speakers:
        parts.append(f'<p class="speakers">{_text(talk.speaker_line)}</p>')
    facts = [("Where", talk.location), ("Host", talk.host)]
    parts += [f'<p class="facts">{name}: {_text(value)}</p>' for name, value in facts if value]
    listed_by = listed_by_html(st)
    if listed_by:
        parts.append(f'<p class="facts">Listed by: {listed_by}</p>')
    elif st.source_name:
        parts.append(f'<p class="facts">From: {_text(st.source_name)}</p>')
    if talk.status not in _CALLED_OFF:
        parts.append(
            f'<p class="add-talk"><a href="{escape(event_file(talk.id))}" type="text/calendar">'
            "Add to calendar</a></p>"
        )
    abstract = paragraphs(talk.abstract)
    if abstract:
        parts.append('<details class="abstract"><summary>Abstract</summary>')
        parts += [f"<p>{escape(p)}</p>" for p in abstract]
        parts.append("</details>")
    parts += ["</div>", "</li>"]
    return safe_html("\n".join(parts))


def _feed_item(spec: FeedSpec, formats: Sequence[tuple[str, str, str]]) -> str:
    """A feed's subscribe card in the given formats."""
    calendar = _ICAL in formats
    links = [
        f'<a href="{escape(spec.href(ext))}" type="{mime}">{name}</a>'
        for ext, name, mime in formats
    ]
    if calendar:
        webcal = spec.webcal_url()
        # Without a base_url only the script, knowing the page's address, can make the link.
        add = (
            f'<a class="add" href="{escape(webcal)}">'
            if webcal
            else f'<a class="add" href="{escape(spec.href("ics"))}" hidden>'
        )
        links.insert(0, f"{add}Add to calendar</a>")
    # Calendar apps, unlike feed readers, cannot find a feed from this page's address: the
    # iCal address is the one people need to paste.
    ext, kind = ("ics", "Calendar") if calendar else (formats[0][0], "Feed")
    url = escape(spec.public_url(ext) or spec.href(ext))
    parts = ['<li class="feed">', f"<h3>{_text(spec.title)}</h3>"]
    if spec.description:
        parts.append(f"<p>{_text(spec.description)}</p>")
    parts += [
        f'<p class="actions">{" ".join(links)}</p>',
        '<div class="address">',
        # Shown whole, wrapping, rather than in a text field that cuts long addresses off.
        f"<span>{kind} address</span>",
        f'<div><code class="url">{url}</code>',
        f'<button type="button" class="copy" data-url="{url}" hidden>Copy link</button></div>',
        "</div>",
        "</li>",
    ]
    return safe_html("\n".join(parts))
