"""HTML into a BeautifulSoup tree: the tree `BeautifulSoup(text, "lxml")` builds, with less of
bs4's bookkeeping per element."""

from __future__ import annotations

import threading

from bs4 import BeautifulSoup
from bs4.builder._lxml import LXMLTreeBuilder
from lxml import etree

__all__ = ["html_tree"]


def html_tree(text: str) -> BeautifulSoup:
    """`text` parsed as HTML with lxml: the same tree as `BeautifulSoup(text, "lxml")`."""
    return BeautifulSoup(text, builder=_BUILDERS.builder)


class _HtmlBuilder(LXMLTreeBuilder):
    """bs4's lxml HTML builder without the namespace work it shares with its XML builder.

    For every element, bs4 copies the attributes twice and splits each attribute's and the
    tag's name on "{" to find XML namespaces: a tenth of building a page's tree. lxml's HTML
    parser reports none, so that work changes nothing; a name or mapping that does carry one
    still goes through bs4's own path. Each thread has one builder, and it keeps its lxml
    parser from one document to the next.
    """

    def __init__(self) -> None:
        super().__init__()
        self._parser: etree.HTMLParser | None = None

    def initialize_soup(self, soup: BeautifulSoup) -> None:
        # One builder serves parse after parse: each starts with no namespace in scope, as it
        # would with a new builder.
        self.nsmaps = [self.DEFAULT_NSMAPS_INVERTED]
        self.active_namespace_prefixes = [dict(self.DEFAULT_NSMAPS)]
        super().initialize_soup(soup)

    def parser_for(self, encoding: str | None) -> etree.XMLParser | etree.HTMLParser:
        # bs4 makes an lxml parser for every document, and lxml inspects the target's methods
        # for every parser it makes: a few percent of a page's tree. lxml starts a new document
        # once a parser is closed or a parse has failed; text comes decoded, so no encoding
        # varies from one document to the next.
        if encoding is not None:
            return super().parser_for(encoding)
        if self._parser is None:
            self._parser = etree.HTMLParser(target=self, recover=True, huge_tree=self.huge_tree)
        return self._parser

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


class _Builders(threading.local):
    """A builder for each thread, made once: a builder holds the state of one parse at a time,
    which bs4 clears when its tree is built."""

    def __init__(self) -> None:
        self.builder = _HtmlBuilder()


_BUILDERS = _Builders()
