"""CERN Computing Seminar, on CERN's Indico.

Category page: https://indico.cern.ch/category/82/ (a public project page links it as the CERN
Computing Seminar; 82 is taken from there, not checked live). The talks are read whole from
Indico's export API, https://indico.cern.ch/export/categ/82.json (format documented at
https://docs.getindico.io/en/stable/http-api/; see scrapers/platforms/indico.py); event pages
are https://indico.cern.ch/event/<id>/. Times are Geneva time; a talk broadcast from elsewhere
keeps the zone its event declares. Seminars are Indico "lectures", whose chairs are the speakers.
"""

from __future__ import annotations

from scrapers.platforms.indico import Indico
from scrapers.registry import register


@register
class CernComputingSeminar(Indico):
    id = "cern-computing-seminar"
    name = "CERN Computing Seminar"
    start_urls = ("https://indico.cern.ch/category/82/",)
    base_url = "https://indico.cern.ch"
    category = "82"
    timezone = "Europe/Zurich"
    default_duration = 60
