from __future__ import annotations

import pytest

from scrapers.drafts import SpeakerDraft
from scrapers.read.speakers import parse_speakers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qinghao Hu, Massachusetts Institute of Technology", [SpeakerDraft("Qinghao Hu", "Massachusetts Institute of Technology")]),
        ("Mei-Ling Sato, University of California, San Diego", [SpeakerDraft("Mei-Ling Sato", "University of California, San Diego")]),
        ("Ken Goldberg, UC Berkeley and Ambi Robotics", [SpeakerDraft("Ken Goldberg", "UC Berkeley and Ambi Robotics")]),
        ("Ada Lovelace", [SpeakerDraft("Ada Lovelace", None)]),
        ("Ada Lovelace (University of London)", [SpeakerDraft("Ada Lovelace", "University of London")]),
        ("John Smith, Jr., MIT", [SpeakerDraft("John Smith, Jr.", "MIT")]),
        ("A One, X University; B Two, Y Institute", [SpeakerDraft("A One", "X University"), SpeakerDraft("B Two", "Y Institute")]),
        ("A One, X University\nB Two", [SpeakerDraft("A One", "X University"), SpeakerDraft("B Two", None)]),
        ("", []),
        (None, []),
    ],
)  # fmt: skip
def test_speakers(text: str | None, expected: list[SpeakerDraft]) -> None:
    assert parse_speakers(text) == expected
