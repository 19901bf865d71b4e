"""Cornell Computer Science events, from the university's Localist calendar.

Calendar page: https://events.cornell.edu/group/computer_science; the talks come from the
Localist API v2 (https://developer.localist.com/doc/api) as
https://events.cornell.edu/api/2/events?group_id=computer_science&days=180&pp=100, one talk per
date of an event. Talk URLs are event pages, https://events.cornell.edu/event/<url-name>,
shared by all dates of a recurring seminar. Quirks are the platform's (past days are asked
for with dates from the fetch time; cancellations come as `status`): see
scrapers/platforms/localist.py.
"""

from __future__ import annotations

from scrapers.platforms.localist import Localist
from scrapers.registry import register


@register
class CornellCsEvents(Localist):
    id = "cornell-cs-events"
    name = "Cornell Computer Science Events"
    start_urls = ("https://events.cornell.edu/group/computer_science",)
    base_url = "https://events.cornell.edu"
    group = "computer_science"
    timezone = "America/New_York"
