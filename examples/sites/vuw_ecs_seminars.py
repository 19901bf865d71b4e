"""Victoria University of Wellington, School of Engineering and Computer Science: seminars.

The school's seminar system publishes a WebCal (iCalendar) feed of its seminars, described at
https://ecs.wgtn.ac.nz/Support/TechNoteSeminarSystem; the feed address below follows the
school's site layout but could not be checked from here. Format: RFC 5545
(https://www.rfc-editor.org/rfc/rfc5545). Quirks: descriptions are "Speaker: … / Abstract: …"
plain text (the system asks for plain-text abstracts), and New Zealand's daylight saving runs
opposite to the northern hemisphere's (it ends in April). The saved feed is a made-up sample in
this shape, not a capture.
"""

from __future__ import annotations

from scrapers.generic.ical_feed import IcalFeed
from scrapers.registry import register


@register
class VuwEcsSeminars(IcalFeed):
    id = "vuw-ecs-seminars"
    name = "VUW Engineering and Computer Science Seminars"
    start_urls = ("https://ecs.wgtn.ac.nz/Events/Seminars/seminars.ics",)
    timezone = "Pacific/Auckland"
