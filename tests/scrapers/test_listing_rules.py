"""The listing extractor's rules one at a time: names and speakers, the series' usual time and
room, the year of a year-less date, rows that are no talks, and where a block's talk begins."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from scrapers import Page, SpeakerDraft
from scrapers.listing import read_listing
from scrapers.listing.defaults import _place, _sentences
from scrapers.listing.people import looks_like_name, read_speakers
from scrapers.read.speakers import strip_honorifics
from scrapers.when import DayMention

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jon Schneider", True), ("Jin-Peng Liu", True), ("Maria de la Cruz", True),
        ("J. R. R. Tolkien", True), ("Ahmed El Alaoui", True), ("张伟", True), ("山田 太郎", True),
        ("Prof. Dr. Anna Schmidt", True), ("נועה לוי", True), ("אורי בן-דוד", True),
        ("משוואות דיפרנציאליות חלקיות על גרפים", False), ("수론적 동역학 입문", False),
        ("No Talk", False), ("Spring Break", False), ("NYC Theory Day", False), ("MIT", False),
        ("Massachusetts Institute of Technology", False), ("Quantum for Science", False),
        ("Aula Magna", False), ("Auditório do IM", False), ("Room 101", False),
        ("Jane Doe, MIT", False), ("A mathematical perspective on transformers", False),
    ],
)  # fmt: skip
def test_names_are_told_by_their_shape(text: str, name: bool) -> None:
    assert looks_like_name(text) is name


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        ("Jin-Peng Liu (MIT)", [("Jin-Peng Liu", "MIT")]),
        ("Jane Doe, MIT", [("Jane Doe", "MIT")]),
        ("Jane Doe – University of Oxford", [("Jane Doe", "University of Oxford")]),
        ("Ann Lee (MIT) and Bob Ray (ETH)", [("Ann Lee", "MIT"), ("Bob Ray", "ETH")]),
        # Listed together before one parenthesis: both from there.
        ("Ann Lee and Bob Ray (ETH)", [("Ann Lee", "ETH"), ("Bob Ray", "ETH")]),
        ("Ann Lee, Bob Ray, and Cy Twombly", [("Ann Lee", None), ("Bob Ray", None), ("Cy Twombly", None)]),
        # One comma: a name and its (compound) affiliation, as NYU writes them.
        ("Ken Goldberg, UC Berkeley and Ambi Robotics", [("Ken Goldberg", "UC Berkeley and Ambi Robotics")]),
        ("Elizaveta (Liza) Levina (University of Michigan)", [("Elizaveta (Liza) Levina", "University of Michigan")]),
        # Listed together before one comma: both from what follows it, "and"s and all.
        ("Prof. Liam O'Connor & Dr Mei Tanaka, Mathematics and Statistics, Macquarie University",
         [("Liam O'Connor", "Mathematics and Statistics, Macquarie University"),
          ("Mei Tanaka", "Mathematics and Statistics, Macquarie University")]),
        ('ד"ר רון אברהם וד"ר שירה פרידמן', [("רון אברהם", None), ("שירה פרידמן", None)]),
        ("Dra. Marta Puig i Ferrer (Universitat de Barcelona)", [("Marta Puig i Ferrer", "Universitat de Barcelona")]),
        ("Ole Berg (SINTEF) og Mette Dahl (SSB)", [("Ole Berg", "SINTEF"), ("Mette Dahl", "SSB")]),
        ("Spring Break", []),
        ("On the heat equation", []),
    ],
)  # fmt: skip
def test_speakers_and_their_affiliations(text: str, speakers: list[tuple[str, str | None]]) -> None:
    assert read_speakers(text) == [SpeakerDraft(n, a) for n, a in speakers]


def test_a_speaker_column_is_trusted_with_any_name() -> None:
    assert read_speakers("Yaqi duan (NYU)") == []
    assert read_speakers("Yaqi duan (NYU)", trusted=True) == [SpeakerDraft("Yaqi duan", "NYU")]


@pytest.mark.parametrize(
    ("name", "bare"),
    [
        ("Jun.-Prof. Dr. Selin Aydın", "Selin Aydın"), ("Univ.-Prof. Dipl.-Ing. Dr. Hans Gruber", "Hans Gruber"),
        ("prof. dr. Jan de Vries", "Jan de Vries"), ("dr. ir. Pieter Bos", "Pieter Bos"),
        ("Dr Jane Smith", "Jane Smith"), ("Professorin Eva Lang", "Eva Lang"), ("李明华 教授", "李明华"),
        ("Drew Barry", "Drew Barry"), ("Irene Adler", "Irene Adler"), ("Ing Chen", "Ing Chen"),
        ("PD Dr. Nadine Zürcher", "Nadine Zürcher"), ("Pedro Duarte", "Pedro Duarte"),
    ],
)  # fmt: skip
def test_forms_of_address_go_and_names_stay(name: str, bare: str) -> None:
    assert strip_honorifics(name) == bare


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("Talks are currently scheduled to take place at 12pm in room 401B of 3401 Walnut St.", "room 401B of 3401 Walnut St"),
        ("Seminars are held on Tuesdays at 4pm in Room LG07, Ashworth Building, unless otherwise stated.", "Room LG07, Ashworth Building"),
        ("all talks at 3:30pm in Room 101 unless noted", "Room 101"),
        ("Die Vorträge finden jeweils dienstags um 16:15 Uhr im Hörsaal 3 (Gebäude C, Albert-Einstein-Straße 8) statt.", "Hörsaal 3 (Gebäude C, Albert-Einstein-Straße 8)"),
        ("le séminaire a lieu le mardi à 14h en salle B 201 (bâtiment Fermat), campus des Tanneurs.", "salle B 201 (bâtiment Fermat), campus des Tanneurs"),
        ("We meet at 4pm, see you there.", None),
    ],
)  # fmt: skip
def test_the_room_a_sentence_names(sentence: str, place: str | None) -> None:
    assert _place(sentence) == place


def test_sentences_do_not_end_at_abbreviations_and_a_label_takes_its_line() -> None:
    text = "Location: Auditorium 150, 900 W. Polk Street.\nSeminars are at 4pm. Tea in Rm. 5 first."
    assert _sentences(text) == [
        "Location: Auditorium 150, 900 W. Polk Street.",
        "Seminars are at 4pm.",
        "Tea in Rm. 5 first.",
    ]


def test_a_day_without_a_year_is_the_one_nearest_to_now() -> None:
    day = DayMention(0, 6, None, 12, 20, None)
    assert day.nearest_year(datetime(2026, 2, 1, tzinfo=UTC)) == 2025
    assert day.nearest_year(datetime(2026, 9, 1, tzinfo=UTC)) == 2026


def listing(body: str, url: str = "https://math.example.edu/seminar/") -> list[tuple[object, ...]]:
    html = (
        f"<html lang=en><head><title>Seminar</title></head><body><main>{body}</main></body></html>"
    )
    found = read_listing(Page(url, html, NOW), ZONE)
    return [
        (d.start.date() if d.start else None, d.title, [s.name for s in d.speakers], d.location)
        for d in found.drafts
    ]


def test_an_academic_year_crosses_january() -> None:
    body = (
        "<h2>Colloquium 2024–2025</h2><ul>"
        "<li>Tuesday, September 10 – Ann Lee (MIT): On heat flow</li>"
        "<li>Tuesday, December 3 – Bo Chen (Yale): Sharp bounds</li>"
        "<li>Tuesday, January 14 – Cy Dee (ETH): Knots</li>"
        "<li>Tuesday, May 6 – Di Eng (EPFL): Braids</li></ul>"
    )
    assert [row[0] for row in listing(body)] == [
        date(2024, 9, 10), date(2024, 12, 3), date(2025, 1, 14), date(2025, 5, 6),
    ]  # fmt: skip


def test_a_printed_weekday_picks_the_year() -> None:
    body = "<h1>Seminar</h1><ul><li>Tuesday, Sept. 12 – Ann Lee (MIT): Heat</li><li>Tuesday, Sept. 19 – Bo Chen (Yale): Bounds</li></ul>"
    assert [row[0] for row in listing(body)] == [date(2023, 9, 12), date(2023, 9, 19)]


def test_a_list_running_forward_moves_to_the_next_year_at_january() -> None:
    body = (
        "<p>Last updated November 3, 2025.</p><h1>Seminar</h1><ul>"
        "<li>Nov 20: Ann Lee (MIT), On heat flow</li><li>Dec 11: Bo Chen (Yale), Sharp bounds</li>"
        "<li>Jan 15: Cy Dee (ETH), Knots</li></ul>"
    )
    assert [row[0] for row in listing(body)] == [
        date(2025, 11, 20),
        date(2025, 12, 11),
        date(2026, 1, 15),
    ]


@pytest.mark.parametrize(
    "row",
    [
        "No seminar (Thanksgiving)", "Spring break", "Reading week", "Holiday reception",
        "Kein Kolloquium (Dies academicus)", "Pas de séminaire", "No hay seminario", "休み",
    ],
)  # fmt: skip
def test_rows_that_are_no_talks_are_dropped(row: str) -> None:
    body = (
        "<h1>Seminar 2025</h1><table><tr><th>Date</th><th>Speaker</th><th>Title</th></tr>"
        "<tr><td>March 3, 2025, 4pm</td><td>Ann Lee (MIT)</td><td>On heat flow</td></tr>"
        f"<tr><td>March 10, 2025</td><td colspan=2>{row}</td></tr>"
        "<tr><td>March 17, 2025, 4pm</td><td>Bo Chen (Yale)</td><td>Sharp bounds</td></tr></table>"
    )
    assert [row[1] for row in listing(body)] == ["On heat flow", "Sharp bounds"]


def test_a_cancelled_talk_is_kept_and_marked() -> None:
    body = (
        "<h1>Seminar 2025</h1><table><tr><th>Date</th><th>Speaker</th><th>Title</th></tr>"
        "<tr><td>March 3, 2025, 4pm</td><td>Ann Lee (MIT) (cancelled)</td><td>On heat flow</td></tr>"
        "<tr><td>March 17, 2025, 4pm</td><td>Bo Chen (Yale)</td><td>Sharp bounds</td></tr></table>"
    )
    found = read_listing(Page("https://x.example.edu/s/", f"<main>{body}</main>", NOW), ZONE)
    assert [(d.status, [s.name for s in d.speakers]) for d in found.drafts] == [
        ("cancelled", ["Ann Lee"]), (None, ["Bo Chen"]),
    ]  # fmt: skip


def test_news_and_course_timetables_are_no_talks() -> None:
    news = (
        "<h2>Latest news</h2><ul><li>March 3, 2025 – Ann Lee wins the Fields Medal</li>"
        "<li>March 10, 2025 – New building opens</li></ul>"
    )
    timetable = (
        "<h1>Timetable</h1><table><tr><th>Date</th><th>Course</th><th>Teacher</th></tr>"
        "<tr><td>March 3, 2025, 9am</td><td>Algebra</td><td>Ann Lee</td></tr>"
        "<tr><td>March 4, 2025, 9am</td><td>Analysis</td><td>Bo Chen</td></tr></table>"
    )
    assert listing(news) == []
    assert listing(timetable) == []


def test_a_series_time_and_room_fill_the_rows_that_lack_them() -> None:
    body = (
        "<h1>Seminar 2025</h1><p>All talks are at 3:30pm in Room 101, Hilbert Hall, unless noted.</p>"
        "<ul><li>March 3 – Ann Lee (MIT): On heat flow</li>"
        "<li>March 10, 5pm, Room 7 – Bo Chen (Yale): Sharp bounds</li></ul>"
    )
    found = read_listing(Page("https://x.example.edu/s/", f"<main>{body}</main>", NOW), ZONE)
    assert [(d.start, d.location) for d in found.drafts] == [
        (datetime(2025, 3, 3, 15, 30, tzinfo=ZONE), "Room 101, Hilbert Hall"),
        (datetime(2025, 3, 10, 17, tzinfo=ZONE), "Room 7"),
    ]


def test_a_sentence_saying_where_the_seminar_is_held_fills_the_rows_without_a_room() -> None:
    body = (
        "<h1>Analysseminariet</h1><p>Om inget annat anges hålls seminariet i sal 3418, "
        "Matematikhuset, Norrviksvägen 12. Kaffe serveras efteråt.</p>"
        "<ul><li>7 oktober 2025 kl. 13.15: Anna Berg (KTH), Kapacitet och mått</li>"
        "<li>14 oktober 2025 kl. 13.15: Erik Lund (Lunds universitet), Harmoniska mått, "
        "sal 3721</li></ul>"
    )
    found = read_listing(Page("https://x.example.se/s/", f"<main>{body}</main>", NOW), ZONE)
    assert [d.location for d in found.drafts] == [
        "sal 3418, Matematikhuset, Norrviksvägen 12", "sal 3721",
    ]  # fmt: skip


def test_several_talks_under_one_dated_heading() -> None:
    body = (
        "<h1>Seminar</h1><h3>Thursday 16 March 2023 – Student afternoon (Room AG06)</h3>"
        "<ul><li>2pm – Aoife Brennan (UCD): Mixtures</li><li>3pm – Tomás Keane (UCC): Wind</li></ul>"
        "<h3>Thursday 23 March 2023</h3><ul><li>Dr Ingrid Svensson (Lund): Forecasts</li></ul>"
    )
    assert listing(body) == [
        (date(2023, 3, 16), "Mixtures", ["Aoife Brennan"], "Room AG06"),
        (date(2023, 3, 16), "Wind", ["Tomás Keane"], "Room AG06"),
        (date(2023, 3, 23), "Forecasts", ["Ingrid Svensson"], None),
    ]


def test_the_talks_own_link_is_not_a_speakers_homepage_or_a_calendar_export() -> None:
    body = (
        "<h1>Seminar 2025</h1><ul>"
        '<li>March 3, 4pm: <a href="https://annlee.example.org/">Ann Lee</a> (MIT), '
        '<a href="/s/heat">On heat flow</a> <a href="/s/heat.ics">Add to calendar</a></li>'
        '<li>March 10, 4pm: <a href="https://bochen.example.org/">Bo Chen</a> (Yale), Sharp bounds '
        '<a href="/s/bounds.ics">iCal</a></li></ul>'
    )
    found = read_listing(Page("https://x.example.edu/s/", f"<main>{body}</main>", NOW), ZONE)
    assert [d.url for d in found.drafts] == [
        "https://x.example.edu/s/heat",
        "https://x.example.edu/s/",
    ]


def test_a_card_whose_description_says_where_the_talk_moved_is_read_at_the_new_day() -> None:
    card = (
        '<div class="post"><h3><a href="/s/{slug}/">{title}</a></h3><p>{speaker}</p>'
        '<p><a href="/s/{slug}/">{note}</a></p><div class="date">{day}</div></div>'
    )
    cards = [
        card.format(
            slug="euler", title="Weak solutions of the Euler equations", speaker="Ann Lee (MIT)",
            note="NOTE: moved to Thursday, October 23, 2025, 3:30-4:30 pm, Room 6214.",
            day="October 21, 2025",
        ),
        card.format(
            slug="waves", title="Dispersive waves", speaker="Bo Chen (Yale)",
            note="Tuesday, October 28, 2025, 3:30-4:30 pm, Room 4125.", day="October 28, 2025",
        ),
    ]  # fmt: skip
    page = Page("https://x.example.edu/s/", f"<main><h1>Seminar</h1>{''.join(cards)}</main>", NOW)
    found = read_listing(page, ZONE)
    assert [(d.start, d.end, d.location) for d in found.drafts] == [
        (datetime(2025, 10, 23, 15, 30, tzinfo=ZONE), datetime(2025, 10, 23, 16, 30, tzinfo=ZONE), "Room 6214"),
        (datetime(2025, 10, 28, 15, 30, tzinfo=ZONE), datetime(2025, 10, 28, 16, 30, tzinfo=ZONE), "Room 4125"),
    ]  # fmt: skip


def test_a_description_that_opens_with_its_speaker() -> None:
    card = (
        '<article class="event"><h3><a href="/k/{slug}">{title}</a></h3>'
        '<p class="when">Do, {day}.10.2025, 17.15 Uhr</p><p class="description">{text}</p></article>'
    )
    body = "<h1>Kolloquium</h1>" + "".join(
        card.format(slug=slug, title=title, day=day, text=text)
        for slug, title, day, text in [
            ("a", "Zufällige Matrizen", 2, "Prof. Dr. Anna Brunner, Universität Basel"),
            ("b", "Homogenisierung", 9, "Prof. Dr. Luca Bernasconi, Università della Svizzera "
             "italiana. Der Vortrag muss leider entfallen."),
            ("c", "Geometrische Flüsse", 16, "Wir untersuchen geometrische Flüsse. Prof. Dr. Jon "
             "Weiss wird sie im Detail beschreiben, mit vielen Beispielen und Bildern."),
        ]
    )  # fmt: skip
    page = Page("https://x.example.ch/k/", f"<main>{body}</main>", NOW)
    found = read_listing(page, ZoneInfo("Europe/Zurich"))
    assert [(d.speakers, d.abstract) for d in found.drafts] == [
        ([SpeakerDraft("Anna Brunner", "Universität Basel")], None),
        ([SpeakerDraft("Luca Bernasconi", "Università della Svizzera italiana")],
         "Der Vortrag muss leider entfallen."),
        ([], "Wir untersuchen geometrische Flüsse. Prof. Dr. Jon Weiss wird sie im Detail "
             "beschreiben, mit vielen Beispielen und Bildern."),
    ]  # fmt: skip


def test_labels_parted_by_bars_on_one_line_and_a_posting_byline() -> None:
    item = (
        '<div class="item"><h3><a href="/s/{slug}">{title}</a></h3>'
        '<div class="meta"><span>{posted}</span> <span>Per Montserrat Riba</span></div>'
        "<p><strong>Ponent:</strong> {speaker}</p>"
        "<p><strong>Data:</strong> {day} | <strong>Hora:</strong> 12:00–13:00 | "
        "<strong>Lloc:</strong> {room}</p></div>"
    )
    body = "<h1>Seminari</h1>" + "".join(
        item.format(slug=slug, title=title, posted=posted, speaker=speaker, day=day, room=room)
        for slug, title, posted, speaker, day, room in [
            ("a", "Nusos", "17/10/25", "Dra. Marta Puig i Ferrer (Universitat de Barcelona)",
             "4/11/2025", "Sala C1-018"),
            ("b", "Higgs", "09/10/25", "Dr. Pau Roca (CRM)", "11/11/2025", "online (Teams)"),
        ]
    )  # fmt: skip
    page = Page("https://x.example.cat/s/", f"<main>{body}</main>", NOW)
    found = read_listing(page, ZoneInfo("Europe/Madrid"))
    assert [(d.start, d.speakers, d.location) for d in found.drafts] == [
        (datetime(2025, 11, 4, 12, tzinfo=ZoneInfo("Europe/Madrid")),
         [SpeakerDraft("Marta Puig i Ferrer", "Universitat de Barcelona")], "Sala C1-018"),
        (datetime(2025, 11, 11, 12, tzinfo=ZoneInfo("Europe/Madrid")),
         [SpeakerDraft("Pau Roca", "CRM")], "online (Teams)"),
    ]  # fmt: skip


def test_speakers_over_one_affiliation_in_brackets_and_a_no_seminar_row() -> None:
    body = (
        "<h1>Σεμινάριο</h1><table><tr><th>Ημερομηνία</th><th>Ομιλητής</th><th>Τίτλος</th></tr>"
        "<tr><td>Τρίτη 11 Νοεμβρίου 2025, 13:00</td><td>Αναστασία Κωνσταντίνου και Γιάννης "
        "Μαυρίδης<br>(Πανεπιστήμιο Πατρών)</td><td>Στοχαστικές εξισώσεις</td></tr>"
        "<tr><td>Τρίτη 28 Οκτωβρίου 2025</td><td colspan=2>Εθνική επέτειος – δεν "
        "πραγματοποιείται σεμινάριο</td></tr>"
        "<tr><td>Τρίτη 4 Νοεμβρίου 2025, 13:00</td><td>Δρ Ελένη Παπαδοπούλου<br>(ΕΚΠΑ)</td>"
        "<td>ΑΚΥΡΩΝΕΤΑΙ – Ανισότητες</td></tr></table>"
    )
    page = Page("https://x.example.gr/s/", f"<main>{body}</main>", NOW)
    found = read_listing(page, ZoneInfo("Europe/Athens"))
    assert [(d.start.day, d.speakers) for d in found.drafts if d.start] == [
        (11, [SpeakerDraft("Αναστασία Κωνσταντίνου", "Πανεπιστήμιο Πατρών"),
              SpeakerDraft("Γιάννης Μαυρίδης", "Πανεπιστήμιο Πατρών")]),
        (4, [SpeakerDraft("Ελένη Παπαδοπούλου", "ΕΚΠΑ")]),
    ]  # fmt: skip
    assert found.drafts[1].status == "cancelled"


def test_an_accordion_of_talks_titled_in_its_buttons() -> None:
    item = (
        '<div class="accordion-item"><h3 class="accordion-header"><button type="button" '
        'aria-expanded="false" aria-controls="t{n}"><span class="badge">{short}</span> {title}'
        '</button></h3><div id="t{n}" class="accordion-collapse collapse"><div class="body">'
        "<p><strong>Tid:</strong> torsdag {day}. oktober 2025 kl. 14.15–15.00</p>"
        "<p><strong>Foredragsholder:</strong> {speaker}</p><p><em>Foredraget holdes på "
        "engelsk.</em></p><p>{abstract}</p>{more}</div></div></div>"
    )
    more = '<p><a href="/arr/{slug}.html">Mer om foredraget</a></p>'
    body = (
        "<h1>Statistikkseminaret</h1><p>Seminaret holdes vanligvis torsdager kl. 14.15 i "
        "<strong>Seminarrom Ø-234, Realfagbygget</strong>, om ikke annet er oppgitt.</p>"
        '<div class="accordion">'
        + item.format(n=1, short="09.10.", title="Romlige punktprosesser", day=9,
                      speaker="professor Kari Nordmann, Norges miljø- og biovitenskapelige "
                      "universitet (NMBU)", abstract="Vi ser på punktprosesser i økologi.",
                      more="")
        + item.format(n=2, short="16.10.", title="Ekstremverdier", day=16,
                      speaker="Thomas Müller, ETH Zürich", abstract="Ensembles are large.",
                      more=more.format(slug="ekstremverdier"))
        + "</div>"
    )  # fmt: skip
    found = read_listing(Page("https://x.example.no/s/", f"<main>{body}</main>", NOW), ZONE)
    assert [(d.title, d.speakers, d.location, d.url) for d in found.drafts] == [
        ("Romlige punktprosesser",
         [SpeakerDraft("Kari Nordmann", "Norges miljø- og biovitenskapelige universitet (NMBU)")],
         "Seminarrom Ø-234, Realfagbygget", "https://x.example.no/s/"),
        ("Ekstremverdier", [SpeakerDraft("Thomas Müller", "ETH Zürich")],
         "Seminarrom Ø-234, Realfagbygget", "https://x.example.no/arr/ekstremverdier.html"),
    ]  # fmt: skip


def test_a_room_named_in_quotes_is_no_title_and_a_hedged_place_label_is_the_default() -> None:
    body = (
        "<h1>Seminario</h1><p>Lugar, salvo aviso en contrario: Auditorio Sotero Prieto.</p>"
        "<p><strong>Día 15/10/2025, de 16 a 17:30 h, Auditorio «Emilio Lluis»:</strong> Dr. "
        "Pablo Aguirre (UTFSM) — «Variedades invariantes»</p>"
        "<p><strong>Día 22/10/2025, 16 h:</strong> Dra. Ana Ruiz (UNAM) — «Órbitas»</p>"
    )
    found = read_listing(Page("https://x.example.mx/s/", f"<main>{body}</main>", NOW), ZONE)
    assert [(d.title, d.location) for d in found.drafts] == [
        ("Variedades invariantes", "Auditorio «Emilio Lluis»"),
        ("Órbitas", "Auditorio Sotero Prieto"),
    ]


def test_the_language_of_a_talk_beside_its_speaker_is_a_note() -> None:
    body = (
        "<h1>Kolloquium</h1><ul>"
        "<li>2. Oktober 2025, 17.15 Uhr: Prof. Dr. Élodie Favre, EPFL (Vortrag auf Englisch) – "
        "<em>Geometric flows</em></li>"
        "<li>9. Oktober 2025, 17.15 Uhr: Dr. Jon Weiss (ETH Zürich) – <em>Knoten</em></li></ul>"
    )
    page = Page("https://x.example.ch/k/", f"<main>{body}</main>", NOW)
    found = read_listing(page, ZoneInfo("Europe/Zurich"))
    assert [(d.speakers, d.notes) for d in found.drafts] == [
        ([SpeakerDraft("Élodie Favre", "EPFL")], "Vortrag auf Englisch"),
        ([SpeakerDraft("Jon Weiss", "ETH Zürich")], None),
    ]


def test_a_page_wrapped_in_one_form_and_a_table_known_by_its_columns() -> None:
    # ASP.NET WebForms put the whole page in a <form>; the table says "Speaker" in Hebrew.
    body = (
        '<form method="post" action="./colloquium.aspx"><h1>קולוקוויום</h1><table>'
        "<tr><th>תאריך ושעה</th><th>מרצה</th><th>כותרת ההרצאה</th></tr>"
        "<tr><td>יום ג', 21 באוקטובר 2025, 14:00–15:00</td><td>ד\"ר נועה לוי<br>(הטכניון)</td>"
        "<td>Sharp thresholds</td></tr>"
        "<tr><td>יום ג', 28 באוקטובר 2025, 14:00–15:00</td><td>פרופ' אבי כהן<br>"
        "(האוניברסיטה העברית)</td><td>משוואות על גרפים</td></tr></table></form>"
    )
    jerusalem = ZoneInfo("Asia/Jerusalem")
    page = Page("https://x.example.ac.il/c.aspx", f"<html lang=he><body>{body}</body></html>", NOW)
    found = read_listing(page, jerusalem)
    assert [(d.start, d.title, d.speakers) for d in found.drafts] == [
        (datetime(2025, 10, 21, 14, tzinfo=jerusalem), "Sharp thresholds",
         [SpeakerDraft("נועה לוי", "הטכניון")]),
        (datetime(2025, 10, 28, 14, tzinfo=jerusalem), "משוואות על גרפים",
         [SpeakerDraft("אבי כהן", "האוניברסיטה העברית")]),
    ]  # fmt: skip


def test_an_exam_timetable_is_no_talk_listing() -> None:
    body = (
        "<h1>Egzaminų tvarkaraštis</h1><table><tr><th>Data</th><th>Dalykas</th>"
        "<th>Dėstytojas</th><th>Vieta</th></tr>"
        "<tr><td>2026-01-07 14:00</td><td>Skaitiniai metodai</td><td>doc. dr. Jonas Petraitis</td>"
        "<td>201 aud.</td></tr><tr><td>2026-01-12 10:00</td><td>Stochastiniai procesai</td>"
        "<td>prof. dr. Rūta Kazlauskienė</td><td>305 aud.</td></tr></table>"
    )
    page = Page("https://x.example.lt/e/", f"<html lang=lt><title>Egzaminų tvarkaraštis</title>"
                f"<body>{body}</body></html>", NOW)  # fmt: skip
    assert read_listing(page, ZoneInfo("Europe/Vilnius")).drafts == []


def test_cards_in_a_grid_s_rows_with_date_badges_hidden_from_screen_readers() -> None:
    card = (
        '<div class="views-col"><article class="event-teaser"><div class="datebox" '
        'aria-hidden="true"><span>{day}</span><span>OKT</span></div><h3><a href="/a/{slug}">'
        "{title}</a></h3><div>Kl. 13.15-14.00, Auditorium 3</div><div>Oplægsholder: {who}</div>"
        "</article></div>"
    )
    rows = [
        [("14", "tilting", "Tilting theory", "Mette Lindqvist (KU)"),
         ("21", "quivers", "Quiver Grassmannians", "Jonas Bech (AAU)")],
        [("28", "cluster", "Cluster categories", "Sara Holm (SDU)")],
    ]  # fmt: skip
    body = "<h1>Algebraseminar</h1><div class='views-view-grid'>" + "".join(
        '<div class="views-row">' + "".join(card.format(day=d, slug=s, title=t, who=w)
                                            for d, s, t, w in row) + "</div>"
        for row in rows
    ) + "</div>"  # fmt: skip
    copenhagen = ZoneInfo("Europe/Copenhagen")
    page = Page("https://x.example.dk/a/", f"<html lang=da><main>{body}</main></html>", NOW)
    found = read_listing(page, copenhagen)
    assert [(d.start, d.title, d.url) for d in found.drafts] == [
        (datetime(2025, 10, 14, 13, 15, tzinfo=copenhagen), "Tilting theory", "https://x.example.dk/a/tilting"),
        (datetime(2025, 10, 21, 13, 15, tzinfo=copenhagen), "Quiver Grassmannians", "https://x.example.dk/a/quivers"),
        (datetime(2025, 10, 28, 13, 15, tzinfo=copenhagen), "Cluster categories", "https://x.example.dk/a/cluster"),
    ]  # fmt: skip


def test_news_items_that_announce_talks_under_labels() -> None:
    item = (
        '<article class="news-item"><div class="news-meta"><span>數學系研討會</span>'
        '<span class="news-date">發佈日期：{posted}</span></div><h2 class="news-title">'
        '<a href="/s/{slug}">{badge}數學系研討會（{day}）</a></h2><dl><dt>日期</dt><dd>{day}</dd>'
        "<dt>時間</dt><dd>下午4時至5時</dd><dt>講者</dt><dd>{who}</dd><dt>講題</dt><dd>{title}</dd>"
        "<dt>語言</dt><dd>英語</dd></dl></article>"
    )
    body = '<h1>研討會</h1><div class="news-list seminar-list">' + "".join(
        item.format(posted=p, slug=s, badge=b, day=d, who=w, title=t)
        for p, s, b, d, w, t in [
            ("2025年9月30日", "stokes", "", "2025年10月14日", "陳大文教授（香港大學）", "Stokes flows"),
            ("2025年10月3日", "flows", "【取消】", "2025年10月28日", "Prof. Michael Tan（NUS）", "Mean curvature flow"),
        ]
    ) + "</div>"  # fmt: skip
    hong_kong = ZoneInfo("Asia/Hong_Kong")
    page = Page("https://x.example.hk/s/", f"<html lang=zh-Hant><main>{body}</main></html>", NOW)
    found = read_listing(page, hong_kong)
    assert [(d.start, d.title, d.speakers, d.url, d.notes, d.status) for d in found.drafts] == [
        (datetime(2025, 10, 14, 16, tzinfo=hong_kong), "Stokes flows",
         [SpeakerDraft("陳大文", "香港大學")], "https://x.example.hk/s/stokes", "英語", None),
        (datetime(2025, 10, 28, 16, tzinfo=hong_kong), "Mean curvature flow",
         [SpeakerDraft("Michael Tan", "NUS")], "https://x.example.hk/s/flows", "英語", "cancelled"),
    ]  # fmt: skip


def test_statuses_said_beside_a_title_and_occasions_with_no_one_speaking() -> None:
    body = (
        "<h1>Number Theory Seminar</h1><ol>"
        '<li><span class="label">Cancelled</span> <a href="/t/1">Heights on stacky curves</a>'
        "<br>Tuesday 28 October 2025, 14:00-15:00 · Organiser: Dr Tom Brennan<br>"
        "Marta Kowalczyk (Bristol)</li>"
        "<li>Tuesday 4 November 2025, 14:00-15:00: Ann Lee (Oxford): Boundary regularity – "
        "<strong>SIIRTYY</strong> myöhempään ajankohtaan</li>"
        "<li>Tuesday 11 November 2025, 17:00: Fall Faculty &amp; Graduate Student Reception</li>"
        "<li>Tuesday 18 November 2025, 14:00: Bo Chen (Warwick): Sphere packings "
        "[slides, PDF]</li></ol>"
    )
    london = ZoneInfo("Europe/London")
    page = Page("https://x.example.ac.uk/t/", f"<main>{body}</main>", NOW)
    found = read_listing(page, london)
    assert [(d.title, d.status, d.host, [s.name for s in d.speakers]) for d in found.drafts] == [
        ("Heights on stacky curves", "cancelled", "Tom Brennan", ["Marta Kowalczyk"]),
        ("Boundary regularity", "postponed", None, ["Ann Lee"]),
        ("Sphere packings", None, None, ["Bo Chen"]),
    ]


def test_an_old_table_headed_by_its_first_row_with_a_default_room_after_a_room_noun() -> None:
    body = (
        "<h1>Statistika seminar</h1><p>Seminar toimub kolmapäeviti kell 16.15 ruumis "
        "<b>Raekoja 5–214</b>, kui tabelis pole märgitud teisiti.</p><table>"
        "<tr><td><b>Kuupäev</b></td><td><b>Kell</b></td><td><b>Esineja</b></td>"
        "<td><b>Teema</b></td><td><b>Ruum</b></td></tr>"
        "<tr><td>K 1.10.2025</td><td>16.15–17.45</td><td>prof. Jaak Ollik (Tartu Ülikool)</td>"
        "<td>Wassersteini kaugus</td><td>&nbsp;</td></tr>"
        "<tr><td>K 19.11.2025</td><td>16.15</td><td>Karl Vaher (Eesti Maaülikool)</td>"
        "<td>teema täpsustamisel</td><td>Raekoja 5–105</td></tr></table>"
    )
    tallinn = ZoneInfo("Europe/Tallinn")
    page = Page("https://x.example.ee/s/", f"<html lang=et><main>{body}</main></html>", NOW)
    found = read_listing(page, tallinn)
    assert [(d.start, d.title, d.location) for d in found.drafts] == [
        (datetime(2025, 10, 1, 16, 15, tzinfo=tallinn), "Wassersteini kaugus", "Raekoja 5–214"),
        (datetime(2025, 11, 19, 16, 15, tzinfo=tallinn), "teema täpsustamisel", "Raekoja 5–105"),
    ]
