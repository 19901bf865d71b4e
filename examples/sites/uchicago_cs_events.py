"""UChicago Computer Science events, from the department's WordPress calendar.

Calendar page: https://computerscience.uchicago.edu/events/, run by The Events Calendar; the
talks come from its REST API (https://theeventscalendar.com/knowledgebase/introduction-to-the-events-calendar-rest-api/)
as https://computerscience.uchicago.edu/wp-json/tribe/events/v1/events?start_date=-30+days&…,
50 a page, following `next_rest_url`. Talk URLs are event pages,
https://computerscience.uchicago.edu/event/<slug>/. Times are Chicago wall-clock times. Quirks
are the platform's (escaped titles, `[]` for no venue, cancellations only as title markers): see
scrapers/platforms/tribe_events.py.
"""

from __future__ import annotations

from scrapers.platforms.tribe_events import TribeEvents
from scrapers.registry import register


@register
class UchicagoCsEvents(TribeEvents):
    id = "uchicago-cs-events"
    name = "UChicago Computer Science Events"
    start_urls = ("https://computerscience.uchicago.edu/events/",)
    base_url = "https://computerscience.uchicago.edu"
    timezone = "America/Chicago"
