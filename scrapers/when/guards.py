"""Numbers that look like dates or years but are labelled as something else: "Room 12/3",
"Section 3.2.", "Tel. 12-34-2023", "room 2023"."""

from __future__ import annotations

import re

__all__ = ["labelled_number"]

# Lower-case, accent-folded labels that put a number in a room, a document or a phone line.
_LABELS = (
    r"room|rm|raum|saal|salle|sala|aula|zaal|lokaal|hall|hörsaal|horsaal|building|bldg|office|"
    r"suite|apt|no|nr|num|number|n°|nº|#|section|sec|fig|figure|table|tab|chapter|ch|eq|"
    r"version|ver|v|page|p|pp|vol|issue|tel|phone|fax|ext|isbn|doi|arxiv|kap|abb"
)
_LABELLED = re.compile(rf"(?<![\w#°º])(?:{_LABELS})\.?\s*:?\s*$", re.IGNORECASE)
_LOOK_BACK = 14


def labelled_number(folded: str, start: int) -> bool:
    """Whether the number at `start` of the folded text follows a label such as "Room"."""
    return _LABELLED.search(folded, max(0, start - _LOOK_BACK), start) is not None
