"""SFU Operations Research Seminar (Simon Fraser University), on researchseminars.org.

Series page: https://researchseminars.org/seminar/SFUOR (the id appears in public links to its
talks, e.g. /talk/SFUOR/49/; not checked live). Algorithms and optimization, in person in
Burnaby and online. The talks are read whole from the API,
https://researchseminars.org/api/0/search/talks?seminar_id="SFUOR" (format documented at
https://researchseminars.org/api; see scrapers/platforms/researchseminars.py); talk pages are
https://researchseminars.org/talk/SFUOR/<counter>/. Times are Vancouver time unless a talk
declares its own zone.
"""

from __future__ import annotations

from scrapers.platforms.researchseminars import ResearchSeminars
from scrapers.registry import register


@register
class SfuOperationsResearch(ResearchSeminars):
    id = "sfu-operations-research"
    name = "SFU Operations Research Seminar"
    start_urls = ("https://researchseminars.org/seminar/SFUOR",)
    series_id = "SFUOR"
    timezone = "America/Vancouver"
    default_duration = 60
