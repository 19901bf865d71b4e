"""The words talk listings are written in, by what they signal, in the languages universities
publish in. Matching is on case-folded text; entries are lower case.

Listed once here so the block finder, the field reader and the defaults reader agree on them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

__all__ = [
    "CALENDAR_LINK",
    "CANCELLED_WORDS",
    "COMBINED_LABELS",
    "FIELD_LABELS",
    "HONORIFICS",
    "INSTITUTION_WORDS",
    "LANGUAGE_WORDS",
    "MORE_ABOUT",
    "MORE_LINK",
    "NEWS_WORDS",
    "NOT_A_TALK",
    "NO_SESSION",
    "POSTPONED_WORDS",
    "ROOM_WORDS",
    "TALK_WORDS",
    "TEACHING_WORDS",
    "any_of",
    "label_pattern",
    "unaccented",
    "words_pattern",
]

FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "speaker": (
        "speaker", "speakers", "presenter", "presenters", "presented by", "lecturer", "who",
        "guest", "invited speaker", "referent", "referentin", "referenten", "vortragende",
        "vortragender", "sprecher", "sprecherin", "redner", "rednerin", "gast", "orateur",
        "oratrice", "intervenant", "intervenante", "intervenants", "conférencier",
        "conférencière", "conférenciers", "exposant", "ponente", "ponentes", "conferenciante",
        "expositor", "expositora", "palestrante", "palestrantes", "conferencista", "relatore",
        "relatrice", "relatori", "oratore", "spreker", "sprekers", "报告人", "主讲人", "讲者",
        "演讲人", "主讲嘉宾", "講者", "主講者", "主讲者", "演講者", "講員", "報告人",
        "主講人", "講演者", "発表者", "講師", "話題提供者",
        # Nordic, Slavic, Baltic, Hungarian, Romanian, Catalan, Greek, Turkish, Korean.
        "föredragshållare", "oplægsholder", "oplægsholdere", "talare", "föreläsare",
        "foredragsholder", "taler", "foredragsholdere",
        "puhuja", "esitelmöitsijä", "luennoitsija", "prelegent", "prelegenci", "referujący",
        "přednášející", "řečník", "prednášajúci", "докладчик", "докладчики", "лектор",
        "спикер", "доповідач", "előadó", "előadók", "vorbitor", "conferențiar", "ponent",
        "conferenciant", "ομιλητής", "ομιλήτρια", "ομιλητές", "konuşmacı", "konuşmacılar",
        "연사", "발표자", "강연자", "연자",
        # Vietnamese, Indonesian, Malay, Hebrew, Baltic, South Slavic, Ukrainian, Estonian.
        "báo cáo viên", "diễn giả", "người trình bày", "pembicara", "penceramah", "narasumber",
        "מרצה", "מרצים", "המרצה", "pranešėjas", "pranešėja", "referents", "referente",
        "predavatelj", "predavateljica", "predavač", "predavačica", "predavači", "esineja",
        "ettekandja", "доповідачі", "lektor", "lektorka", "ponente invitado", "ผู้บรรยาย",
        "วิทยากร", "ผู้พูด", "المحاضر", "المحاضرة", "المتحدث", "المتحدثة", "वक्ता", "व्याख्याता",
    ),
    "title": (
        "title", "topic", "talk", "talk title", "subject", "titel", "thema", "vortrag",
        "vortragstitel", "titre", "sujet", "título", "titulo", "tema", "titolo", "onderwerp",
        "题目", "报告题目", "讲座题目", "標題", "題目", "タイトル", "演題", "講演題目",
        "titel på föredraget", "rubrik", "ämne", "otsikko", "aihe", "tytuł", "temat",
        "název", "téma", "název přednášky", "тема", "название", "назва", "cím", "titlu",
        "títol", "τίτλος", "θέμα", "başlık", "konu", "제목", "주제", "演講題目", "講題", "讲题",
        "題目名稱",
        "tên báo cáo", "chủ đề", "đề tài", "judul", "topik", "כותרת", "נושא", "כותרת ההרצאה",
        "pavadinimas", "nosaukums", "pealkiri", "teema", "ettekande teema", "naslov",
        "назва доповіді", "หัวข้อ", "เรื่อง",
        "العنوان", "الموضوع", "عنوان المحاضرة", "विषय", "शीर्षक", "tittel",
    ),
    "date": (
        "date", "dates", "day", "when", "date and time", "date & time", "date/time", "datum",
        "termin", "wann", "jour", "quand", "fecha", "día", "cuándo", "data",
        "dia", "quando", "giorno", "datum en tijd", "日期", "时间", "時間",
        "日時", "日付", "開催日", "报告时间", "讲座时间", "活动时间", "開催日時",
        "datum och tid", "dato", "tidspunkt", "päivämäärä", "ajankohta", "kiedy",
        "datum a čas", "kdy", "дата", "дата и время", "когда", "időpont", "dátum", "dată",
        "ημερομηνία", "ημερομηνία και ώρα", "tarih", "tarih ve saat", "일시", "날짜",
        "時間地點", "日期時間",
        "ngày", "thời gian", "tanggal", "hari/tanggal", "waktu", "תאריך", "מועד", "תאריך ושעה",
        "מועד ושעה", "datums", "kuupäev", "datum in ura", "วันที่", "التاريخ", "اليوم", "दिनांक",
        "तारीख",
    ),
    "time": (
        "time", "zeit", "uhrzeit", "heure", "horaire", "hora", "horario", "orario", "tijd",
        "tid", "kellonaika", "aika", "godzina", "čas", "время", "idő", "ora", "ώρα", "saat",
        "시간",
        "giờ", "jam", "pukul", "שעה", "laikas", "laiks", "aeg", "ura", "vrijeme", "kell",
        "kellaaeg", "klo", "kellonaika", "เวลา", "الوقت",
        "الساعة", "समय", "час",
    ),
    "location": (
        "location", "place", "venue", "where", "room", "rooms", "lecture hall", "ort",
        "raum", "hörsaal", "veranstaltungsort", "lieu", "salle", "endroit", "lugar", "sala",
        "sede", "aula", "local", "luogo", "locatie", "zaal", "plaats", "地点", "地點", "会场",
        "报告地点", "讲座地点", "活动地点",
        "lokal", "sal", "plats", "sted", "paikka", "sali", "miejsce", "místo", "místnost",
        "место", "аудитория", "місце", "helyszín", "terem", "loc", "locul", "lloc",
        "αίθουσα", "τόπος", "yer", "salon", "장소", "강의실",
        "場所", "会場", "教室",
        "địa điểm", "phòng", "tempat", "lokasi", "ruang", "מקום", "אולם", "vieta", "koht", "ruum",
        "ruumis",
        "kraj", "mjesto", "predavaonica", "dvorana", "สถานที่", "ห้อง", "المكان", "القاعة", "स्थान",
        "aula magna",
    ),
    "abstract": (
        "abstract", "summary", "synopsis", "description", "zusammenfassung", "kurzfassung",
        "inhalt", "résumé", "resume", "resumen", "resumo", "sommario", "riassunto",
        "samenvatting", "kokkuvõte", "sisukokkuvõte", "annotatsioon", "tiivistelmä", "abstrakti",
        "摘要", "内容摘要", "报告摘要", "概要", "要旨", "アブストラクト",
        "sammanfattning", "sammendrag", "resumé", "tiivistelmä", "abstrakt", "streszczenie",
        "anotace", "аннотация", "анотація", "резюме", "összefoglaló", "kivonat", "rezumat",
        "resum", "περίληψη", "özet", "초록", "요약", "講演概要", "內容摘要",
    ),
    "host": (
        "host", "hosts", "hosted by", "organizer", "organizers", "organiser", "organisers",
        "gastgeber", "einladung", "eingeladen von", "organisateur", "organisatrice",
        "invité par", "anfitrión", "organizador", "organizadora", "organizzatore", "邀请人",
        "主持人", "世話人", "司会",
        "värd", "vert", "isäntä", "gospodarz", "hostitel", "ведущий", "házigazda",
        "gazdă", "amfitrión", "οικοδεσπότης", "ev sahibi", "초청자", "좌장",
        "מארח", "מארחת", "מארח/ת", "người chủ trì", "chủ trì", "tuan rumah", "moderator",
    ),
    "affiliation": (
        "affiliation", "institution", "university", "institut", "université", "universidad",
        "universidade", "università", "instituut", "单位", "所属", "所属機関", "kurum",
        "afiliacja", "instytucja", "pracoviště", "organizace", "организация", "место работы",
        "intézmény", "ίδρυμα", "소속", "所屬", "單位", "organisation", "organization",
    ),
    "bio": ("bio", "biography", "speaker bio", "about the speaker", "biografie", "biographie"),
    "notes": (
        "notes", "note", "hinweis", "hinweise", "remarque", "remarques", "nota", "notas", "catatan",
        "keterangan", "huom", "huomautus", "märkus", "napomena", "примітка", "примечание",
        "poznámka", "uwaga", "megjegyzés", "notă", "σημείωση", "ghi chú", "הערה", "ملاحظة",
        "หมายเหตุ", "備註",
        "备注", "注意", "備考", "language", "sprache", "vortragssprache", "langue", "idioma",
        "lingua", "taal", "språk", "kieli", "język", "jazyk", "язык", "мова", "nyelv", "limba",
        "γλώσσα", "dil", "語言", "语言", "言語", "언어", "ngôn ngữ", "bahasa", "שפה", "اللغة",
    ),
    "published": (
        "published", "published on", "posted", "posted on", "date posted", "last updated",
        "updated", "veröffentlicht", "veröffentlicht am", "erstellt am", "publié le", "publié",
        "mis en ligne", "mis à jour", "publicado", "publicado el", "publicado em", "pubblicato",
        "pubblicato il", "gepubliceerd", "gepubliceerd op", "发布时间", "发布日期", "发表时间",
        "更新时间", "發佈日期", "發布日期", "發佈時間", "更新日期", "發表日期", "刊登日期",
        "掲載日", "投稿日", "更新日",
        "publicerad", "publisert", "julkaistu", "opublikowano", "publikováno",
        "опубликовано", "közzétéve", "publicat", "δημοσιεύθηκε", "yayınlanma", "게시일",
    ),
}  # fmt: skip
"""Label texts ("Speaker:", "Ort:", "报告人：") by the field they introduce."""

COMBINED_LABELS = (
    "time and location", "time and place", "date and location", "date and place",
    "date and venue", "when and where", "date & location", "time & location", "date/venue",
    "zeit und ort", "datum und ort", "date et lieu", "fecha y lugar", "data e local",
    "data e luogo", "datum en plaats", "时间地点", "日時・場所", "час і місце", "дата і місце",
    "время и место", "дата и место", "czas i miejsce", "termin i miejsce", "čas a místo",
    "vrijeme i mjesto", "aika ja paikka", "tid og sted", "tid och plats",
    "idő és hely", "időpont és helyszín", "data și locul", "ora și locul", "χρόνος και τόπος",
    "zaman ve yer", "thời gian và địa điểm", "waktu dan tempat", "時間地點", "時間及地點",
)  # fmt: skip
"""Labels of a date and the place after it, in one line."""

NO_SESSION = (
    "no talk", "no seminar", "no colloquium", "no meeting", "no lecture", "no class", "no session",
    "kein kolloquium", "kein seminar", "kein vortrag", "keine veranstaltung", "pas de séminaire",
    "pas d'exposé", "pas de séance", "no hay seminario", "sin seminario", "no hay charla",
    "no hay sesión", "sin sesión", "no hi ha seminari", "no hi ha sessió", "não haverá",
    "não há seminário", "sem seminário", "sem sessão", "nessun seminario", "niente seminario",
    "geen seminar", "geen colloquium", "inget seminarium", "ingen seminar", "intet seminar",
    "ikke seminar", "ei seminaaria", "brak seminarium", "nie ma seminarium",
    "seminarium nie odbędzie się", "seminář se nekoná", "seminár sa nekoná", "семинара не будет",
    "нет семинара", "семінару не буде", "nincs szeminárium", "nincs előadás", "nu are loc",
    "nu se ține", "δεν πραγματοποιείται", "δεν θα πραγματοποιηθεί", "seminer yok", "لا توجد ندوة",
    "لا ندوة", "لا توجد محاضرة", "कोई संगोष्ठी नहीं", "ไม่มีสัมมนา", "ไม่มีการบรรยาย", "אין סמינר",
    "אין קולוקוויום", "אין הרצאה", "không có seminar", "không sinh hoạt", "tidak ada seminar",
    "seminaro nebus", "semināra nebūs", "세미나 없음", "nema seminara", "nema predavanja",
    "ni seminarja", "ni predavanja", "нема семінару", "няма семинар", "няма да има семинар",
    "seminārs nenotiek", "seminaras nevyks", "seminari ei toimu", "ingen föreläsning",
    "ei esitelmää", "휴강", "休会", "暂停", "休講", "停講",
    "停课", "停課", "暫停",
)  # fmt: skip
"""What a row says when there is no talk that day ("No seminar", "Kein Kolloquium")."""

NOT_A_TALK = (
    *NO_SESSION,
    "break", "spring break", "fall break", "winter break", "reading week", "recess", "holiday",
    "holidays", "thanksgiving", "vacation", "easter", "christmas", "new year", "reception",
    "information session", "info session", "admissions", "open house", "open day", "orientation",
    "lunch", "luncheon", "picnic", "happy hour", "social hour", "career fair", "careers",
    "graduation", "commencement", "tag der offenen tür", "journée portes ouvertes",
    "portes ouvertes", "jornada de puertas abiertas", "welcome party", "get-together",
    "social", "party", "exam", "exams", "cancelled", "canceled", "ferien", "feiertag",
    "vorlesungsfrei", "weihnachten", "ostern", "pfingsten", "entfällt", "relâche", "vacances",
    "férié", "jour férié", "vacaciones", "festivo", "feriado", "semana santa", "recesso",
    "vacanze", "festa", "vakantie", "feestdag", "julefrokost", "julbord", "pikkujoulu",
    "weihnachtsfeier", "sommerfest", "christmas party", "holiday party", "szünet", "αργία",
    "διακοπές", "επέτειος",
    "tatil", "חופשה", "nghỉ lễ", "放假", "假期", "休み", "祝日", "お休み", "休業", "冬季休業",
    "夏季休業", "ありません", "休息", "期中考", "期末考",
)  # fmt: skip
"""What a row says when it is not a talk: a break, a holiday, a reception."""

CANCELLED_WORDS = (
    "cancelled", "canceled", "abgesagt", "entfällt", "fällt aus", "annulé", "annulée",
    "annulé·e", "cancelado", "cancelada", "anulado", "anulada", "suspendido", "annullato",
    "annullata", "geannuleerd", "gaat niet door", "inställt", "inställd", "avlyst", "aflyst",
    "peruttu", "peruutettu", "odwołane", "odwołany", "odwołana", "zrušeno", "zrušena",
    "отменён", "отменено", "отменен", "скасовано", "elmarad", "anulat", "ακυρώνεται",
    "ακυρώθηκε", "iptal", "iptal edildi", "iptal edilmiştir", "anul·lat", "anul·lada",
    "cancel·lat", "cancel·lada", "מבוטל", "בוטל", "đã hủy", "hủy", "atšaukta", "atcelts",
    "tühistatud", "jääb ära", "ära jäetud", "otkazano", "otkazan", "odpovedané", "ยกเลิก", "ملغاة",
    "ملغى", "ألغيت", "रद्द",
    "dibatalkan", "batal", "udgår", "取消", "已取消", "中止", "취소",
)  # fmt: skip
"""What a schedule says of a talk that will not take place."""

POSTPONED_WORDS = (
    "postponed", "verschoben", "reporté", "reportée", "aplazado", "aplazada", "pospuesto",
    "pospuesta", "adiado", "rinviato", "rinviata", "uitgesteld", "uppskjutet", "uppskjuten",
    "utsatt", "siirretty", "przełożone", "przełożony", "odloženo", "ajornat", "ajornada",
    "hoãn", "tạm hoãn", "נדחה", "atidėta", "atlikts", "edasi lükatud", "odgođeno", "เลื่อน",
    "مؤجلة", "مؤجل", "تأجيل", "स्थगित", "ditunda", "udsat", "siirtyy", "отложен",
    "перенесён", "перенесено", "перенесен", "elhalasztva", "amânat", "αναβάλλεται",
    "ertelendi", "延期", "연기",
)  # fmt: skip
"""What a schedule says of a talk put off to a date not yet known."""

TALK_WORDS = (
    "seminar", "seminars", "colloquium", "colloquia", "talk", "talks", "lecture", "lectures",
    "speaker", "speakers", "symposium", "workshop", "kolloquium", "vortrag", "vorträge",
    "vortragsreihe", "ringvorlesung", "séminaire", "séminaires", "colloque", "exposé",
    "conférence", "conférences", "seminario", "seminarios", "coloquio", "charla", "charlas",
    "conferencia", "ponencia", "palestra", "palestras", "seminário", "seminários",
    "colóquio", "seminari", "conferenza", "seminarie", "lezing", "lezingen", "voordracht",
    "报告", "讲座", "学术报告", "研讨会", "セミナー", "講演", "談話会", "コロキウム",
    "seminariet", "föredrag", "kollokvium", "foredrag", "seminaari", "esitelmä", "luento",
    "seminarium", "odczyt", "wykład", "seminář", "přednáška", "семинар", "доклад",
    "коллоквиум", "лекция", "семінар", "szeminárium", "előadás", "colocviu",
    "conferință", "σεμινάριο", "διάλεξη", "ομιλία", "seminer", "kolokyum", "konferans",
    "세미나", "콜로퀴엄", "강연", "특강", "발표", "演講", "研討會", "講座", "學術報告", "專題演講",
    "學術講座", "座談會",
    "seminaret", "seminarer", "seminarene", "kollokviet", "seminarierna", "קולוקוויום",
    "סמינר", "הרצאה", "הרצאות", "ندوة", "محاضرة", "báo cáo", "hội thảo", "kuliah umum",
    "संगोष्ठी", "व्याख्यान", "สัมมนา", "conferència", "seminaras", "seminārs", "predavanje",
    "kolokvij", "predavanja", "predavanju", "seminara", "seminaru", "kolokvija", "přednášky",
    "přednášek", "wykłady", "wykładu", "seminaria", "семинара", "доклады", "докладов", "семінару",
    "семінари", "доповіді", "доповідь", "лекція", "ettekanne", "loeng", "szemináriumot",
    "előadások",
)  # fmt: skip
"""Words that name talks and series of them."""

NEWS_WORDS = (
    "news", "press", "announcement", "announcements", "blog", "nachrichten", "aktuelles",
    "meldungen", "actualités", "nouvelles", "noticias", "notícias", "novità", "notizie",
    "nieuws", "新闻", "新聞", "ニュース", "お知らせ",
    "nyheter", "nyheder", "uutiset", "aktualności", "wiadomości", "aktuality", "novinky",
    "новости", "hírek", "noutăți", "ειδήσεις", "haberler", "뉴스", "공지사항",
)  # fmt: skip
"""Words that name news, whose dated items are not talks."""

TEACHING_WORDS = (
    "timetable", "class schedule", "course schedule", "syllabus", "homework", "assignment",
    "assignments", "office hours", "course", "courses", "curriculum", "stundenplan",
    "lehrveranstaltung", "lehrveranstaltungen", "vorlesungsverzeichnis", "übung", "übungen",
    "modul", "emploi du temps", "emplois du temps", "enseignement", "enseignements", "enseignant",
    "enseignante", "enseignant·e", "travaux dirigés", "horario de clases", "asignatura",
    "asignaturas", "docente", "grade horária", "disciplina", "orario delle lezioni", "lezioni",
    "insegnamento", "rooster", "collegerooster", "课程表", "课表", "课程", "時間割", "授業", "科目",
    "シラバス", "exam", "exams", "examination", "examinations", "exam schedule", "prüfung",
    "prüfungen", "prüfungsplan", "klausur", "klausuren", "examen", "examens", "exámenes", "esame",
    "esami", "exames", "tentamen", "tentamina", "eksamen", "eksamener", "tentti", "tentit",
    "egzamin", "egzaminy", "egzaminas", "egzaminai", "egzaminų", "eksāmens", "eksāmenu", "eksam",
    "eksamid", "zkouška", "zkoušky", "skúška", "skúšky", "ispit", "ispiti", "izpit", "izpiti",
    "экзамен", "экзамены", "экзаменов", "іспит", "іспити", "vizsga", "vizsgák", "vizsgarend",
    "examene", "εξετάσεις", "sınav", "sınavlar", "試験", "考试", "考試", "시험", "kỳ thi",
    "lịch thi", "ujian", "בחינה", "בחינות", "tvarkaraštis", "rozvrh", "órarend", "orar",
    "ders programı", "lịch học", "jadwal kuliah", "מערכת שעות", "timeplan", "schemat zajęć",
    "thesis defense", "thesis defence", "phd defense", "phd defence", "dissertation defense",
    "disputation", "soutenance", "soutenances", "defensa de tesis", "defesa de tese", "promotie",
    "väitöstilaisuus", "obrona", "obhajoba", "obhajoby", "защита", "защити", "защиты", "захист",
    "védés", "susținere", "savunma", "答辩", "論文審査",
    "plan zajęć", "расписание занятий", "розклад занять", "lukujärjestys",
)  # fmt: skip
"""Words of course timetables, whose dated rows with teachers and rooms are no talks."""

ROOM_WORDS = (
    "room", "rm", "hall", "auditorium", "building", "bldg", "lab", "laboratory", "library",
    "lounge", "center", "centre", "theater", "theatre", "floor", "online", "zoom", "teams",
    "virtual", "webinar", "campus", "street", "st", "avenue", "ave", "raum", "hörsaal",
    "seminarraum", "gebäude", "saal", "bibliothek", "salle", "amphi", "amphithéâtre",
    "bâtiment", "bibliothèque", "aula", "sala", "salón", "edificio", "auditorio",
    "anfiteatro", "sala de", "prédio", "bloco", "auditório", "edifício", "zaal", "gebouw",
    "lokaal", "报告厅", "会议室", "教室", "楼", "厅", "室", "会議室", "講義室", "号館", "号室",
    "ホール",
    "sal", "salen", "sali", "seminarrom", "seminarrommet", "møterom", "auditoriet", "lokale",
    "hörsal", "föreläsningssal", "luentosali", "budynek", "místnost", "místnosti", "ruum",
    "auditoorium", "učebna",
    "terem", "posluchárna", "аудитория", "ауд", "корпус", "épület",
    "αίθουσα", "amfi", "derslik", "онлайн", "онлайн-формат", "en ligne", "en línea", "in linea",
    "çevrimiçi", "trực tuyến", "daring", "zdalnie", "distančně", "дистанционно", "verkossa",
    "etänä", "διαδικτυακά", "ห้อง", "ห้องประชุม", "อาคาร", "قاعة", "القاعة", "مبنى", "कक्ष",
    "सभागार", "भवन", "ruang", "gedung", "amfisi", "강의실", "세미나실", "호관", "강당",
)  # fmt: skip
"""Words of room and building names."""

INSTITUTION_WORDS = (
    "university", "univ", "universität", "universitat", "université", "universidad",
    "universidade", "università", "universiteit", "uniwersytet", "univerzita", "institute",
    "institut", "instituto", "istituto", "instytut", "college", "école", "ecole", "escola",
    "escuela", "scuola", "hochschule", "polytechnic", "politecnico", "polytechnique",
    "laboratory", "laboratoire", "laboratorio", "labs", "lab", "research", "centre", "center",
    "centro", "zentrum", "academy", "akademie", "académie", "academia", "hospital", "clinic",
    "inria", "cnrs", "inserm", "max-planck", "fraunhofer", "helmholtz", "google", "microsoft",
    "ibm", "meta", "amazon", "deepmind", "nvidia", "eth", "epfl", "cern", "nasa", "school",
    "faculty", "department", "dept", "fakultät", "faculté", "facultad", "大学", "大學",
    "研究所", "研究院", "学院", "科学院", "研究员", "研究センター",
    "אוניברסיטת", "האוניברסיטה", "الجامعة", "المعهد", "كلية", "مركز", "אוניברסיטה", "מכון",
    "הטכניון", "جامعة", "معهد",
    "มหาวิทยาลัย", "विश्वविद्यालय", "संस्थान", "đại học", "trường", "viện", "universitas",
    "institut teknologi", "universitetet", "universitet", "yliopisto", "egyetem",
    "univerzitet", "sveučilište", "univerza", "университет", "університет", "πανεπιστήμιο",
    "üniversitesi", "universitatea",
)  # fmt: skip
"""Words of the names of universities, institutes and companies, where speakers come from."""

MORE_LINK = (
    "more", "more info", "more information", "details", "read more", "see more", "full details",
    "abstract", "info", "mehr", "weiterlesen", "weitere informationen", "details anzeigen", "plus",
    "en savoir plus", "lire la suite", "suite", "détails", "más", "leer más", "ver más",
    "más información", "saiba mais", "leia mais", "ver mais", "leggi", "leggi tutto", "dettagli",
    "meer", "lees meer", "meer informatie", "详情", "更多", "查看详情", "詳細", "詳しく",
    "もっと見る", "les mer", "läs mer", "læs mere", "lue lisää", "więcej", "czytaj więcej", "více",
    "číst dál", "подробнее", "читать далее", "детальніше", "tovább", "bővebben", "mai mult",
    "detalii", "περισσότερα", "devamı", "ayrıntılar", "더보기", "자세히", "xem thêm", "chi tiết",
    "xem chi tiết", "selengkapnya", "llegir més", "ler mais", "קרא עוד", "daugiau", "vairāk",
    "loe edasi", "preberi več", "pročitaj više", "opširnije",
)  # fmt: skip
"""Texts of a link to a talk's own page that are not its title."""

MORE_ABOUT = (
    "more about", "more on", "read more about", "mer om", "mere om", "mehr zu", "mehr über",
    "en savoir plus sur", "plus sur", "más sobre", "mais sobre", "saiba mais sobre",
    "di più su", "meer over", "lees meer over", "więcej o", "více o", "подробнее о",
    "llegir més sobre", "lue lisää", "detaljnije", "detaljnije o", "više o", "više", "podrobneje",
    "podrobnosti", "докладніше", "детальніше про", "още за", "повече", "vairāk par", "daugiau apie",
    "loe lähemalt", "lisateave", "تفاصيل", "اقرأ المزيد", "รายละเอียด", "อ่านต่อ", "詳情",
    "了解更多",
)  # fmt: skip
"""How a "more" link that names what it leads to begins ("Mer om foredraget")."""

CALENDAR_LINK = (
    "add to calendar", "add to my calendar", "calendar", "ical", "ics", "icalendar",
    "outlook", "google calendar", "add to google", "download ics", "export", "vcal",
    "zum kalender hinzufügen", "kalender", "in kalender eintragen", "ajouter au calendrier",
    "agenda", "añadir al calendario", "agregar al calendario", "adicionar ao calendário",
    "aggiungi al calendario", "toevoegen aan agenda", "添加到日历", "カレンダーに追加",
)  # fmt: skip
"""Texts of links that export a talk to a calendar: never the talk's own page."""

LANGUAGE_WORDS = (
    "english", "in english", "englisch", "auf englisch", "anglais", "en anglais", "inglés",
    "en inglés", "inglese", "in inglese", "inglês", "em inglês", "engels", "in het engels",
    "engelska", "på engelska", "engelsk", "på engelsk", "englanniksi", "angielski",
    "po angielsku", "anglicky", "v angličtině", "по-английски", "на английском",
    "англійською", "angolul", "angol nyelvű", "în engleză", "στα αγγλικά", "i anglès",
    "ingilizce", "英語", "英文", "영어", "באנגלית", "tiếng anh", "bahasa inggris",
)  # fmt: skip
"""How a page says a talk is given in English: a remark beside a name or a title."""

HONORIFICS = (
    "prof", "prof.", "professor", "professorin", "dr", "dr.", "dr.-ing.", "dr. rer. nat.",
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "mx", "sir", "dame", "herr", "frau",
    "m.", "mme", "mme.", "mlle", "pr", "pr.", "sr", "sr.", "sra", "sra.", "srta", "don",
    "doña", "dott", "dott.", "dott.ssa", "ing.", "ir.", "drs.", "assoc. prof.",
    "asst. prof.", "associate professor", "assistant professor", "docent", "dozent",
    "dozentin", "pd", "privatdozent", "privatdozentin", "mgr", "mgr.", "inż.", "doc.", "rndr.",
    "phdr.", "mudr.", "judr.", "paeddr.",
    "doç.", "doç. dr.", "yrd. doç. dr.", "dr. öğr. üyesi", "öğr. gör.", "prof. dr.",
    "arş. gör.", "arş. gör. dr.", "öğr. gör. dr.",
    "проф.", "доц.", "акад.", "д-р", "профессор", "доцент", "καθ.", "δρ.", "κ.",
    "δρ", "επίκ. καθ.", "αναπλ. καθ.", "ομότ. καθ.", "καθηγητής", "καθηγήτρια", "dra", "dra.",
    "mtro.", "mtra.", "lic.", "prof.ª", "profa.", "prof.ssa", "conf.", "lect.", "asist.",
    "drd.", "cercet.", "izv.", "izr.", "vanr.", "red. prof.", "førsteamanuensis", "dosent",
    "postdoktor", "ph.d.-studerende", "phd", "ph.d.", "ft", "fil. dr.", "dosentti", "professori",
    "yliopistonlehtori", "tutkijatohtori", "tohtori", "аспірант", "аспірантка", "аспирант",
    "аспирантка", "ดร.",
    "ศ.ดร.", "รศ.ดร.", "ผศ.ดร.", "ศ.", "รศ.", "ผศ.",
    "อ.ดร.", "د.", "أ.د.", "الدكتور", "الدكتورة", "الأستاذ", "الأستاذة", "डॉ.", "प्रो.",
    "ph.d.-stipendiat", "phd-studerende", "doktorand", "doktorandin", "phd student",
    "ph.d. student", "postdoc", "adjunkt", "universitetslektor",
    "lektor", "ts.", "pgs.", "gs.", "tskh.", "ths.", "ncs.", "ד\"ר", "ד״ר", "פרופ'", "פרופ׳",
    "פרופסור", "doc. dr.", "habil.",
)  # fmt: skip
"""Titles printed before a name that are not part of it."""


def words_pattern(words: tuple[str, ...], compounds: bool = False) -> re.Pattern[str]:
    """A pattern finding any of `words` as whole words (CJK ones anywhere), case-folded. With
    `compounds`, a long word also ends a compound ("Wiskundecolloquium", "Oberseminar"), as
    German, Dutch and the Nordic languages glue nouns together."""
    # By the tuple's identity: hashing hundreds of words on every call costs more than the
    # search it serves, and the lists are module constants.
    key = (id(words), compounds)
    known = _PATTERNS.get(key)
    if known is None or known[0] is not words:
        known = (words, _words_pattern(words, compounds))
        _PATTERNS[key] = known
    return known[1]


_PATTERNS: dict[tuple[int, bool], tuple[tuple[str, ...], re.Pattern[str]]] = {}


@cache
def _words_pattern(words: tuple[str, ...], compounds: bool) -> re.Pattern[str]:
    every = unaccented(words)
    spaced = sorted((w for w in every if w.isascii() or not _is_cjk(w)), key=len, reverse=True)
    cjk = sorted((w for w in every if _is_cjk(w)), key=len, reverse=True)
    parts = []
    if compounds:
        glued = [w for w in spaced if len(w) >= 7 and " " not in w]
        if glued:
            parts.append(rf"\w{any_of(glued)}(?![\w-])")
    if spaced:
        parts.append(rf"(?<![\w-]){any_of(spaced)}(?![\w-])")
    if cjk:
        parts.append(any_of(cjk))
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)


def any_of(words: Iterable[str]) -> str:
    """A group matching any of `words` (a space matching any run of spaces), longest first,
    with common beginnings shared: hundreds of words in many languages are tried letter by
    letter, not word by word."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word.casefold():
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(trie)


def _branches(node: dict[str, Any]) -> str:
    ends = "" in node
    options = [
        (r"\s+" if char == " " else re.escape(char)) + _branches(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not options:
        return ""
    group = options[0] if len(options) == 1 and len(options[0]) == 1 else f"(?:{'|'.join(options)})"
    return f"{group}?" if ends else group


def unaccented(words: Iterable[str]) -> tuple[str, ...]:
    """`words`, and the longer ones also without their accents: capitals often drop them
    ("ΑΚΥΡΩΝΕΤΑΙ", "ANNULE"). Short words keep theirs: unaccented, "hủy" would be "Huy", a name."""
    every = dict.fromkeys(words)
    for word in list(every):
        if len(word) >= 6:
            folded = unicodedata.normalize("NFKD", word)
            every.setdefault(
                unicodedata.normalize(
                    "NFC", "".join(c for c in folded if not unicodedata.combining(c))
                )
            )
    return tuple(every)


@cache
def label_pattern() -> re.Pattern[str]:
    """A label at the start of a text: "Speaker:", "Ort :", "报告人：", "Title -"; the group
    `label` holds its text. A label needs its colon (or full-width colon)."""
    names = {n for names in FIELD_LABELS.values() for n in names}
    return re.compile(rf"^\s*(?P<label>{any_of(names)})\s*[:：]\s*", re.IGNORECASE)


def label_field(label: str) -> str | None:
    """The field a label's text names, or None."""
    key = " ".join(label.casefold().split())
    return _LABEL_FIELDS.get(key)


_LABEL_FIELDS = {name: field for field, names in FIELD_LABELS.items() for name in names}


def _is_cjk(word: str) -> bool:
    return any("\u3000" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in word)
