"""HTML backend: block structure kept (headings, paragraphs, list items, table rows)."""

from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4 import Comment as HtmlComment

from analyzer.ingest.base import Backend, RawBlock, RawDocument, clean_inline
from analyzer.ingest.limits import IngestLimits
from analyzer.ingest.text import decode_text
from analyzer.model import BlockKind

_SKIP = {"script", "style", "head", "nav", "noscript", "template", "svg", "header", "footer", "button",
         "form", "iframe", "object", "meta", "link", "title"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {"p", "div", "section", "article", "main", "body", "blockquote", "ul", "ol", "li", "table", "thead",
           "tbody", "tfoot", "tr", "dl", "dt", "dd", "pre", "address", "aside", "figure", "figcaption",
           "center", "hr", "br"} | set(_HEADINGS)


class HtmlBackend(Backend):
    format = "html"

    def read(self, data: bytes, file_name: str, limits: IngestLimits) -> RawDocument:
        soup = BeautifulSoup(decode_text(data, file_name), "lxml")
        root = soup.body or soup
        blocks: list[RawBlock] = []
        self._walk(root, blocks, BlockKind.PARAGRAPH)
        return RawDocument(blocks=blocks)

    def _walk(self, node: Tag, blocks: list[RawBlock], inline_kind: BlockKind) -> None:
        buffer: list[str] = []

        def flush() -> None:
            text = clean_inline("".join(buffer))
            if text:
                blocks.append(RawBlock(inline_kind, text))
            buffer.clear()

        ordinal = int(node.get("start", 1)) if node.name == "ol" and str(node.get("start", "1")).isdigit() else 1
        for child in node.children:
            if isinstance(child, HtmlComment):
                continue
            if isinstance(child, NavigableString):
                buffer.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP:
                continue
            name = child.name
            if name == "br":
                buffer.append(" ")
                continue
            if name not in _BLOCKS:
                buffer.append(child.get_text(""))
                continue
            flush()
            if name in _HEADINGS:
                text = clean_inline(child.get_text(" "))
                if text:
                    blocks.append(RawBlock(BlockKind.HEADING, text, level=_HEADINGS[name]))
            elif name == "tr":
                cells = [clean_inline(c.get_text(" ")) for c in child.find_all(["td", "th"], recursive=False)]
                row = " | ".join(c for c in cells if c)
                if row:
                    blocks.append(RawBlock(BlockKind.TABLE_ROW, row))
            elif name == "li":
                before = len(blocks)
                self._walk(child, blocks, BlockKind.LIST_ITEM)
                if node.name == "ol" and len(blocks) > before:
                    first = blocks[before]
                    first.text = f"{ordinal}. {first.text}"
                ordinal += 1
            elif name != "hr":
                self._walk(child, blocks, BlockKind.PARAGRAPH)
        flush()
