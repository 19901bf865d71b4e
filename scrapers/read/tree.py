"""HTML into a BeautifulSoup tree: the tree `BeautifulSoup(text, "lxml")` builds, with less of
bs4's bookkeeping per element."""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.builder._lxml import LXMLTreeBuilder

__all__ = ["html_tree"]


def html_tree(text: str) -> BeautifulSoup:
    """`text` parsed as HTML with lxml: the same tree as `BeautifulSoup(text, "lxml")`."""
    # A builder holds the state of one parse: a new one for each tree, as bs4 makes it.
    return BeautifulSoup(text, builder=_HtmlBuilder())


class _HtmlBuilder(LXMLTreeBuilder):
    """bs4's lxml HTML builder without the namespace work it shares with its XML builder.

    For every element, bs4 copies the attributes twice and splits each attribute's and the
    tag's name on "{" to find XML namespaces: a tenth of building a page's tree. lxml's HTML
    parser reports none, so that work changes nothing; a name or mapping that does carry one
    still goes through bs4's own path.
    """

    def start(
        self,
        tag: str | bytes,
        attrib: dict[str | bytes, str | bytes],
        nsmap: dict[str, str] | None = None,
    ) -> None:
        soup = self.soup
        if (
            soup is None
            or nsmap
            or len(self.nsmaps) > 1
            or not isinstance(tag, str)
            or tag.startswith("{")
        ):
            super().start(tag, attrib, nsmap or {})
            return
        for name in attrib:
            if not isinstance(name, str) or name.startswith("{"):
                super().start(tag, attrib, nsmap or {})
                return
        # lxml gives attribute values as text, so the dict's own conversion of None and
        # numbers on each assignment has nothing to do.
        soup.handle_starttag(
            tag,
            None,
            None,
            self.attribute_dict_class(attrib),
            namespaces=self.active_namespace_prefixes[-1],
        )

    def end(self, tag: str | bytes) -> None:
        soup = self.soup
        if soup is None or len(self.nsmaps) > 1 or not isinstance(tag, str) or tag.startswith("{"):
            super().end(tag)
            return
        soup.endData()
        soup.handle_endtag(tag)
