"""Cambridge Computer Laboratory talks, on talks.cam.

List page: https://talks.cam.ac.uk/show/index/6330; its talks are read whole from the list's XML
feed, https://talks.cam.ac.uk/show/xml/6330 (format documented at
https://talks.cam.ac.uk/document/specification; see scrapers/platforms/talks_cam.py). Talk pages
are https://talks.cam.ac.uk/talk/index/<id>. List 6330 is the one the Computer Laboratory's own
display software links as "CL talks"; its exact title on talks.cam was not checked live. Times
are Cambridge time; the feed lists upcoming talks only.
"""

from __future__ import annotations

from scrapers.platforms.talks_cam import TalksCam
from scrapers.registry import register


@register
class CamClTalks(TalksCam):
    id = "cam-cl-talks"
    name = "Cambridge Computer Laboratory Talks"
    start_urls = ("https://talks.cam.ac.uk/show/index/6330",)
    list_id = "6330"
    timezone = "Europe/London"
    default_duration = 60
