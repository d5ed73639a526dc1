"""Writes a Document as a PDF (reportlab) with the built-in CJK CID font STSong-Light: no font file needed."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer

from gateway.exports.document import Document

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=4)
_LINE = ParagraphStyle("line", fontName=FONT, fontSize=9, leading=13)
_HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=17, spaceBefore=8, spaceAfter=4)
_SUB = ParagraphStyle("sub", fontName=FONT, fontSize=10, leading=14, spaceBefore=4, spaceAfter=2)
_CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK")
_NOTE = ParagraphStyle("note", fontName=FONT, fontSize=9, leading=13, textColor=colors.darkred)


def _p(value: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(value)), style)


def render_pdf(document: Document, *, invariant: bool = False, compress: bool = True) -> bytes:
    """Renders the document on A4; `invariant` gives byte-identical output for the same input (tests)."""
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=document.title,
        invariant=int(invariant),
        pageCompression=int(compress),
    )
    width = pdf.width
    story: list = [_p(document.title, _TITLE), *(_p(line, _LINE) for line in document.header), Spacer(1, 4 * mm)]
    for section in document.sections:
        story.append(_p(section.title, _HEADING))
        if section.note:
            story.append(_p(section.note, _NOTE))
        for table in section.tables:
            if table.title:
                story.append(_p(table.title, _SUB))
            data = [[_p(h, _CELL) for h in table.headers]]
            data += [[_p(v, _CELL) for v in row] for row in table.rows] or [
                [_p("（无）", _CELL)] + [""] * (len(table.headers) - 1)
            ]
            grid = LongTable(data, colWidths=[width / max(1, len(table.headers))] * len(table.headers), repeatRows=1)
            grid.setStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
            story += [grid, Spacer(1, 3 * mm)]
    pdf.build(story)
    return buffer.getvalue()
