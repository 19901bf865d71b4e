"""What schedules print where a title or a speaker is not known yet ("TBA", "N.N.", "à venir").

Such text says nothing about the talk: a record keeps no title rather than "TBA", and no speaker
rather than one named "Speaker TBA". Only the whole text counts: "Robots, TBD" is a title. Text
without a letter or digit ("?", "--") is no title or name either.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_placeholder_name", "is_placeholder_title"]

_UNKNOWN = (
    # English
    "TBA", "TBD", "TBC", "To be announced", "To be determined", "To be confirmed", "Forthcoming",
    "Title TBA", "Title TBD", "Title TBC", "Title to be announced", "Title to be determined",
    "Title to be confirmed", "Title forthcoming", "Topic TBA", "Topic to be announced",
    # German
    "N.N.", "wird noch bekannt gegeben", "wird bekannt gegeben", "wird noch bekanntgegeben",
    "Titel folgt", "Thema folgt", "Titel wird noch bekannt gegeben", "Titel noch offen",
    "noch offen", "offen",
    # French
    "à préciser", "à venir", "à confirmer", "à déterminer", "à annoncer", "titre à venir",
    "titre à préciser", "titre à confirmer",
    # Spanish
    "por confirmar", "por anunciar", "por definir", "por determinar", "título por confirmar",
    "título por anunciar", "título por definir",
    # Italian
    "da definire", "da confermare", "da annunciare", "da comunicare", "titolo da definire",
    "titolo da confermare",
    # Portuguese
    "a confirmar", "a definir", "a anunciar", "a ser anunciado", "título a confirmar",
    "título a definir",
    # Dutch
    "nog niet bekend", "nog te bepalen", "nader te bepalen", "n.t.b.", "titel volgt",
    "wordt nog bekendgemaakt",
    # Chinese, Japanese, Korean
    "待定", "题目待定", "报告题目待定", "待通知", "未定", "調整中", "題目未定", "タイトル未定",
    "演題未定", "미정", "يعلن لاحقا", "سيعلن لاحقا", "จะแจ้งให้ทราบภายหลัง", "แจ้งภายหลัง",
)  # fmt: skip
_SPEAKER_UNKNOWN = (
    "Speaker TBA", "Speaker TBD", "Speaker TBC", "Speaker to be announced",
    "Speaker to be confirmed", "Speakers TBA", "Referent folgt", "Referentin folgt",
    "Intervenant à venir", "Ponente por confirmar",
)  # fmt: skip
_NOT_LETTERS = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    """Letters and digits only, lower case, accents dropped: "T.B.A." and "(tba)" are "tba"."""
    if text.isascii():
        # Most titles: merging asks about every record, so skip the Unicode work.
        return _NOT_LETTERS.sub("", text.lower())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_LETTERS.sub("", bare)


# "Speaker to be announced" where the title goes says as little as "TBA".
_NAMES = frozenset(_key(text) for text in (*_UNKNOWN, *_SPEAKER_UNKNOWN))
_TITLES = _NAMES


def is_placeholder_title(title: str) -> bool:
    """Whether `title` is only a stand-in for a title not known yet ("TBA", "Title: TBA",
    "Titel meddelas senare")."""
    key = _key(title)
    if not key or key in _TITLES:
        return True
    # A short title that says it will be told later: "Titel meddelas senare", "Тема уточняется".
    if len(title.split()) > 8:
        return False
    bare = title.lower() if title.isascii() else _bare(title)
    later = _LATER.search(bare)
    if later is None:
        return False
    # Only the phrase and the word "title" are left: "Titel meddelas senare", not "Robots, TBA".
    rest = re.findall(r"\w+", bare[: later.start()] + " " + bare[later.end() :])
    return all(word in _TITLE_WORDS for word in rest)


_TITLE_WORDS = frozenset(
    {"title", "titel", "titre", "titulo", "titolo", "tytul", "tytuł", "nazev", "název", "тема",
     "tema", "baslik", "제목", "題目", "题目", "演題", "topic", "subject", "talk", "vortrag",
     "the", "is", "will", "be", "wird", "ist", "sera", "le", "der", "el", "il", "och", "ja",
     "titol", "cim", "a", "titlul", "ulterior", "ten", "bao", "cao", "tittel", "foredrag",
     "nosaukums", "pavadinimas", "judul", "otsikko", "aihe", "teema", "naslov", "ce", "biti",
     "назва", "пізніше", "позже", "додатково", "כותרת", "הכותרת", "נושא"}
)  # fmt: skip
# Phrases of a title to come, in the languages the words lists of scrapers/read/words.py know.
_LATER = re.compile(
    r"\b(?:to be (?:announced|confirmed|determined)|tba|tbd|tbc|forthcoming|"
    r"meddelas senare|uppges senare|annonceres senere|kunngjøres senere|ilmoitetaan myohemmin|"
    r"wird (?:noch )?bekannt ?gegeben|noch offen|folgt|a venir|a confirmer|a preciser|"
    r"por (?:confirmar|anunciar|definir)|da (?:definire|confermare)|a (?:confirmar|definir)|"
    r"nog niet bekend|volgt|wkrotce|do ustalenia|bude upresn\w*|upresni se|уточняется|"
    r"будет объявлен\w*|будет сообщен\w*|(?:daha sonra )?duyurulacak\w*|belirlenecek\w*|"
    r"θα ανακοινωθει|per confirmar|per concretar|kesobb kerul meghirdetesre|"
    r"va fi anuntat\w*|se va anunta|se thong bao sau|kommer senere|kommer|følger|folger|"
    r"tapsustamisel|tapsustub|selgub hiljem|akan diumumkan|naknadno objavljen\w*|"
    r"bit ce objavljen\w*|bo objavljen\w*|"
    r"буде оголошен\w*|буде повідомлен\w*|будет объявлена|уточнюється|"
    r"يعلن لاحقا|سيعلن لاحقا|لاحقا|จะแจ้งให้ทราบภายหลัง|แจ้งภายหลัง|बाद में घोषित\w*|"
    r"bus paskelbt\w*|tiks pazinot\w*|יפורסם בהמשך|תפורסם בהמשך|טרם נקבע|יעודכן)\b"
    r"|미정|未定|待定|調整中",
)


def _bare(text: str) -> str:
    """`text` case-folded without accents; ASCII text, the usual title, needs none of this and
    is only lower-cased (which is what this does to it)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(c for c in folded if not unicodedata.combining(c)))


def is_placeholder_name(name: str) -> bool:
    """Whether a speaker's `name` only stands in for one not known yet ("N.N.", "Speaker TBA")."""
    key = _key(name)
    # "täpsustamisel" ("being settled") where the name goes says as little as "N.N.".
    return not key or key in _NAMES or (len(name.split()) <= 4 and is_placeholder_title(name))
