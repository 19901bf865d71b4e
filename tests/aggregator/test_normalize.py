from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from aggregator.errors import RecordError
from aggregator.model import Status, Talk
from aggregator.records.normalize import normalize, split_status_marker, status_from_body, talk_id
from scrapers import SpeakerDraft, TalkDraft, get_site

NY = ZoneInfo("America/New_York")
SITE = get_site("nyu-cs-colloquium")
URL = "https://cs.nyu.edu/dynamic/news/colloquium/1857/"


@pytest.mark.parametrize(
    ("title", "clean", "status"),
    [
        ("CANCELLED: Robots That Ask", "Robots That Ask", Status.CANCELLED),
        ("Canceled - Robots That Ask", "Robots That Ask", Status.CANCELLED),
        ("cancelled: Robots That Ask", "Robots That Ask", Status.CANCELLED),
        ("[Postponed] Robots That Ask", "Robots That Ask", Status.POSTPONED),
        ("(POSTPONED) Robots That Ask", "Robots That Ask", Status.POSTPONED),
        ("*** CANCELED *** Robots That Ask", "Robots That Ask", Status.CANCELLED),
        ("Robots That Ask (Cancelled)", "Robots That Ask", Status.CANCELLED),
        ("Robots That Ask - postponed", "Robots That Ask", Status.POSTPONED),
        ("Postponed Gratification in RL", "Postponed Gratification in RL", Status.SCHEDULED),
        ("Cancelled Flights and Delay Prediction", "Cancelled Flights and Delay Prediction", Status.SCHEDULED),
        ("Robots That Ask", "Robots That Ask", Status.SCHEDULED),
        ("Stochastische Homogenisierung – abgesagt", "Stochastische Homogenisierung", Status.CANCELLED),
        ("ODWOŁANE Równania eliptyczne", "Równania eliptyczne", Status.CANCELLED),
        ("Odwołane równania", "Odwołane równania", Status.SCHEDULED),
        ("取消 数论动力学", "数论动力学", Status.CANCELLED),
        ("취소 수론적 동역학 입문", "수론적 동역학 입문", Status.CANCELLED),
        ("[Verschoben] Knoten und Zöpfe", "Knoten und Zöpfe", Status.POSTPONED),
        ("Knoten und Zöpfe (entfällt)", "Knoten und Zöpfe", Status.CANCELLED),
        ("UPPSKJUTET – Analys på grafer", "Analys på grafer", Status.POSTPONED),
        ("Reporté : Équations de Navier–Stokes", "Équations de Navier–Stokes", Status.POSTPONED),
        ("ΑΚΥΡΩΝΕΤΑΙ – Αρμονική ανάλυση", "Αρμονική ανάλυση", Status.CANCELLED),
        ("ANUL·LAT – Fibrats de Higgs", "Fibrats de Higgs", Status.CANCELLED),
        ("AJORNAT: Topologia", "Topologia", Status.POSTPONED),
        ("HOÃN: Giải tích ngẫu nhiên", "Giải tích ngẫu nhiên", Status.POSTPONED),
        ("Phạm Quốc Huy: mạng nơ-ron", "Phạm Quốc Huy: mạng nơ-ron", Status.SCHEDULED),
    ],
)  # fmt: skip
def test_status_markers(title: str, clean: str, status: Status) -> None:
    assert split_status_marker(title) == (clean, status)


def test_normalize_cleans_and_marks() -> None:
    draft = TalkDraft(
        URL,
        title="  CANCELLED:   Building  Systems ",
        speakers=[SpeakerDraft(" Qinghao  Hu ", " MIT ")],
        start=datetime(2026, 3, 10, 14, tzinfo=NY),
        abstract="One\n\n\n  two   words",
        location="60 Fifth\nAvenue",
    )
    talk = normalize(draft, SITE)
    assert talk.id == "nyu-cs-colloquium:1857"
    assert talk.title == "Building Systems"
    assert talk.status is Status.CANCELLED
    assert talk.speakers[0].name == "Qinghao Hu"
    assert talk.speakers[0].affiliation == "MIT"
    assert talk.abstract == "One\n\ntwo words"
    assert talk.location == "60 Fifth Avenue"
    assert talk.timezone == "America/New_York"
    assert talk.end is None
    assert talk.effective_end == datetime(2026, 3, 10, 15, tzinfo=NY)


def test_id_ignores_host_time_title_and_url_shape() -> None:
    assert talk_id(SITE, URL) == talk_id(
        SITE, "http://127.0.0.1:8080/dynamic/news/colloquium/1857/"
    )
    assert talk_id(SITE, URL) == talk_id(
        SITE, "https://cs.nyu.edu/dynamic/about/news/colloquium/1857/"
    )
    assert talk_id(SITE, URL) != talk_id(SITE, URL.replace("1857", "1858"))


def test_id_for_url_without_key_is_a_stable_hash() -> None:
    odd = "https://cs.nyu.edu/events/some-talk"
    assert talk_id(SITE, odd) == talk_id(SITE, odd)
    assert talk_id(SITE, odd).startswith("nyu-cs-colloquium:")
    assert talk_id(SITE, odd) != talk_id(SITE, odd + "-2")


def test_ids_of_urls_that_differ_only_in_their_query_differ() -> None:
    # "show?id=1" and "show?id=2" are two talks: the query is part of the page's identity.
    first, second = "https://cs.nyu.edu/events/show?id=1", "https://cs.nyu.edu/events/show?id=2"
    assert talk_id(SITE, first) != talk_id(SITE, second)
    assert talk_id(SITE, first) == talk_id(SITE, "https://CS.nyu.edu/events/show/?id=1")


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (TalkDraft("", title="T", start=datetime(2026, 3, 10, 14, tzinfo=NY)), "url: missing, and no key"),
        (TalkDraft(URL, title="T"), "start: missing"),
        (TalkDraft("ftp://cs.nyu.edu/x/", title="T", start=datetime(2026, 3, 10, 14, tzinfo=NY)), "url"),
        (TalkDraft(URL, title="T", start=datetime(2026, 3, 10, 14)), "start: Input should have timezone info"),
    ],
)  # fmt: skip
def test_invalid_drafts_name_site_url_and_field(draft: TalkDraft, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        normalize(draft, SITE)
    assert str(caught.value).startswith(f"nyu-cs-colloquium {draft.url or '(no url, key None)'}: ")
    assert message in str(caught.value)


def test_model_rejects_naive_times_empty_titles_and_other_schemes() -> None:
    good: dict[str, object] = {
        "id": "x:1",
        "source": "x",
        "timezone": "America/New_York",
        "url": URL,
        "title": "T",
        "start": datetime(2026, 3, 10, 14, tzinfo=NY),
    }
    assert Talk.model_validate(good).title == "T"
    for change, field in (
        ({"start": datetime(2026, 3, 10, 14)}, "start"),
        ({"title": "  "}, "title"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ):
        with pytest.raises(ValidationError) as caught:
            Talk.model_validate({**good, **change})
        assert caught.value.errors()[0]["loc"] == (field,)


def test_round_trip_through_json_keeps_the_zone() -> None:
    talk = normalize(TalkDraft(URL, title="T", start=datetime(2026, 11, 2, 14, tzinfo=NY)), SITE)
    again = Talk.model_validate_json(talk.model_dump_json())
    assert again == talk
    assert again.start.tzinfo == NY
    assert talk.model_dump(mode="json")["start"] == "2026-11-02T14:00:00-05:00"


def test_default_end_is_real_minutes_across_fall_back() -> None:
    start = datetime(2026, 11, 1, 1, 30, tzinfo=NY)  # 1:30 EDT, half an hour before fall-back
    talk = normalize(TalkDraft(URL, title="T", start=start), SITE)
    assert talk.effective_end.isoformat() == "2026-11-01T01:30:00-05:00"


@pytest.mark.parametrize(
    ("structured", "title", "expected"),
    [
        ("scheduled", "CANCELLED: Talk", Status.CANCELLED),
        ("cancelled", "Talk", Status.CANCELLED),
        ("postponed", "Talk", Status.POSTPONED),
        (None, "[Postponed] Talk", Status.POSTPONED),
        ("scheduled", "Talk", Status.SCHEDULED),
    ],
)
def test_structured_status_and_title_markers(
    structured: Literal["scheduled", "cancelled", "postponed"] | None, title: str, expected: Status
) -> None:
    draft = TalkDraft(
        URL, title=title, start=datetime(2026, 3, 10, 14, tzinfo=NY), status=structured
    )
    talk = normalize(draft, SITE)
    assert (talk.status, talk.title) == (expected, "Talk")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("This talk has been cancelled due to illness.", Status.CANCELLED),
        ("Unfortunately the seminar was canceled.", Status.CANCELLED),
        ("CANCELLED\n\nOriginal abstract follows.", Status.CANCELLED),
        ("** POSTPONED ** until further notice", Status.POSTPONED),
        ("The talk has been postponed to the spring.", Status.POSTPONED),
        ("This talk is rescheduled to April 2.", Status.POSTPONED),
        ("This talk has been rescheduled to March 10, same room.", None),
        ("We study cancelled flights and postponed trains.", None),
        ("Joint work on canceled orders in markets.", None),
        (None, None),
    ],
)
def test_notices_in_the_body(body: str | None, expected: Status | None) -> None:
    assert status_from_body(body, datetime(2026, 3, 10, 14, tzinfo=NY)) is expected


def test_a_notice_in_the_notes_cancels_the_talk() -> None:
    draft = TalkDraft(
        URL,
        title="Talk",
        start=datetime(2026, 3, 10, 14, tzinfo=NY),
        notes="This talk has been cancelled.",
    )
    assert normalize(draft, SITE).status is Status.CANCELLED


START = datetime(2026, 9, 1, 16, tzinfo=NY)


@pytest.mark.parametrize(
    "title",
    [
        None, "", "   ", "TBA", "TBD", "T.B.A.", "tba", "To be announced", "To be determined",
        "Title TBA", "Title: TBA", "Title to be announced", "(TBA)", "TBA.", "  [ T.B.D. ]  ",
        "wird noch bekannt gegeben", "N.N.", "à préciser", "A PRECISER", "à venir",
        "por confirmar", "por anunciar", "da definire", "a confirmar", "nog niet bekend", "--",
        "CANCELLED: TBA", "TBA (postponed)", "Titel meddelas senare", "Тема уточняется",
        "bude upřesněno", "Název bude upřesněn", "Daha sonra duyurulacaktır", "題目未定",
        "Títol per confirmar", "A cím később kerül meghirdetésre", "Titlul va fi anunțat ulterior",
        "Tên báo cáo: sẽ thông báo sau", "Tittel kommer", "הכותרת תפורסם בהמשך",
    ],
)  # fmt: skip
def test_a_missing_or_placeholder_title_is_no_title(title: str | None) -> None:
    draft = TalkDraft(URL, title=title, speakers=[SpeakerDraft("Jon Schneider")], start=START)
    talk = normalize(draft, SITE)
    assert talk.title is None
    assert [s.name for s in talk.speakers] == ["Jon Schneider"]


@pytest.mark.parametrize(
    "title",
    [
        "TBD: Tree Based Decoding", "Robots, TBA", "Title", "Avenir of Type Theory", "NN Pruning",
        "Ergebnisse, die noch offen sind: Vermutungen der Zahlentheorie",
        "Kommer snart: robotar i vården", "Winter is coming",
    ],
)  # fmt: skip
def test_a_title_that_merely_contains_a_placeholder_is_a_title(title: str) -> None:
    assert normalize(TalkDraft(URL, title=title, start=START), SITE).title == title


def test_a_placeholder_title_keeps_its_status_marker() -> None:
    talk = normalize(TalkDraft(URL, title="CANCELLED: Title TBA", start=START), SITE)
    assert (talk.title, talk.status) == (None, Status.CANCELLED)


def test_placeholder_speakers_are_dropped() -> None:
    names = ["TBA", "TBD", "N.N.", "To be announced", "Speaker TBA", "Speaker: T.B.D.", "Ada TBA"]
    draft = TalkDraft(URL, title="T", speakers=[SpeakerDraft(n) for n in names], start=START)
    assert [s.name for s in normalize(draft, SITE).speakers] == ["Ada TBA"]


def test_neither_title_nor_speakers_is_a_valid_record() -> None:
    talk = normalize(TalkDraft(URL, title="TBA", speakers=[SpeakerDraft("TBA")], start=START), SITE)
    assert (talk.title, talk.speakers, talk.url) == (None, [], URL)


@pytest.mark.parametrize("url", ["", "   "])
def test_an_empty_url_is_no_url_and_the_key_is_the_id(url: str) -> None:
    draft = TalkDraft(url, title="Lattices", start=START, key="event-17")
    talk = normalize(draft, SITE)
    assert talk.url is None
    assert talk.id == "nyu-cs-colloquium:event-17"


def test_a_record_without_title_or_url_round_trips_through_json() -> None:
    talk = normalize(
        TalkDraft("", speakers=[SpeakerDraft("Jon Schneider")], start=START, key="k"), SITE
    )
    dumped = talk.model_dump(mode="json")
    assert (dumped["title"], dumped["url"]) == (None, None)
    assert Talk.model_validate_json(talk.model_dump_json()) == talk


def test_model_takes_null_title_and_url_but_not_empty_strings() -> None:
    base: dict[str, object] = {
        "id": "x:1", "source": "x", "timezone": "America/New_York", "start": START,
    }  # fmt: skip
    talk = Talk.model_validate({**base, "title": None, "url": None})
    assert (talk.title, talk.url) == (None, None)
    for field, value in (("title", ""), ("url", "")):
        with pytest.raises(ValidationError) as caught:
            Talk.model_validate({**base, field: value})
        assert caught.value.errors()[0]["loc"] == (field,)
