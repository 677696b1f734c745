"""Letter text from a template, and the letter as a document: HTML, PDF (WeasyPrint), DOCX (docxtpl), text.

Wordings are written in the Django template language (the project's own; no attribute calls with
arguments, no file access when the engine has no loaders, so an administrator's template cannot
reach beyond the context it is given). The DOCX layout is a docxtpl (Jinja) document that only
places the already rendered pieces: letterhead, numbers, addressee, paragraphs, signature.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

_INVALID = "\x00{%s}\x00"


@lru_cache(maxsize=2)
def _engine(strict: bool) -> Engine:
    # No loaders and no dirs: {% include %} and {% extends %} cannot read files.
    return Engine(dirs=[], app_dirs=False, loaders=[], autoescape=False, string_if_invalid=_INVALID if strict else "")


def render_string(source: str, context: dict[str, Any]) -> str:
    """Render an administrator's template; a broken one raises ValidationError with the reason."""
    try:
        return _engine(False).from_string(source).render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise ValidationError(f"Ошибка в шаблоне: {exc}") from None


def check_template(source: str, context: dict[str, Any]) -> str:
    """Render against a sample context and refuse unknown variables; returns the rendered text."""
    try:
        rendered = _engine(True).from_string(source).render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise ValidationError(f"Шаблон не разбирается: {exc}") from None
    except Exception as exc:  # a filter applied to the wrong type and the like
        raise ValidationError(f"Шаблон не отрисовывается: {exc}") from None
    unknown = sorted(set(re.findall(r"\x00\{(.*?)\}\x00", rendered)))
    if unknown:
        raise ValidationError("Неизвестные поля в шаблоне: " + ", ".join(unknown))
    return rendered


def paragraphs_of(text: str) -> list[str]:
    """Blank lines separate paragraphs; single line breaks inside a paragraph are kept."""
    text = text.replace("\r\n", "\n")
    parts = [re.sub(r"[ \t]+\n", "\n", p).strip() for p in re.split(r"\n\s*\n", text)]
    return [p for p in parts if p]


@dataclass
class LetterDocument:
    """A letter laid out: every piece the HTML, PDF, DOCX and text forms place."""

    body_name: str
    letterhead: list[str]
    number: str
    date: dt.date | None
    reply_to: str
    addressee: list[str]
    subject: str
    paragraphs: list[str]
    signer_position: str
    signer_name: str
    executor: str = ""
    draft: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def date_text(self) -> str:
        return self.date.strftime("%d.%m.%Y") if self.date else "__.__.____"

    @property
    def number_text(self) -> str:
        return self.number or "______"


def to_text(doc: LetterDocument) -> str:
    """Plain text for e-mail bodies and messengers: no letterhead, the letter itself and the signature."""
    lines = []
    if doc.number:
        lines.append(f"Исх. № {doc.number} от {doc.date_text}")
    if doc.reply_to:
        lines.append(doc.reply_to)
    if lines:
        lines.append("")
    lines.append("\n\n".join(doc.paragraphs))
    lines.extend(["", doc.signer_position, doc.signer_name, doc.body_name])
    return "\n".join(line for line in lines if line is not None).strip() + "\n"


@lru_cache(maxsize=1)
def letter_css() -> str:
    return render_to_string("letters/letter.css")


@lru_cache(maxsize=1)
def _stylesheet() -> Any:
    """The letter stylesheet parsed once per process for every PDF."""
    from weasyprint import CSS

    return CSS(string=letter_css(), url_fetcher=_fetcher(), font_config=_font_config())


def _page(docs: list[LetterDocument], *, css: str, for_print: bool) -> str:
    return render_to_string("letters/letter.html", {"doc": docs[0], "docs": docs, "css": css, "for_print": for_print})


def to_html(doc: LetterDocument, *, for_print: bool = True) -> str:
    """A self-contained page (style inside): for e-mail, the print queue and the browser."""
    return _page([doc], css=letter_css(), for_print=for_print)


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=1)
def _fetcher() -> Any:
    """Letters load nothing from outside: no file, no network (and no SSL context built per letter)."""
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError("external resources are not loaded into letters")

    return NoFetch(allowed_protocols=("data",))


def html_to_pdf(html: str, *, letter_style: bool = False) -> bytes:
    from weasyprint import HTML

    stylesheets = [_stylesheet()] if letter_style else None
    result: bytes = HTML(string=html, url_fetcher=_fetcher()).write_pdf(
        stylesheets=stylesheets, font_config=_font_config()
    )
    return result


def to_pdf(doc: LetterDocument) -> bytes:
    return html_to_pdf(_page([doc], css="", for_print=True), letter_style=True)


def to_pdf_many(docs: list[LetterDocument], *, processes: int | None = None, chunk: int = 25) -> list[bytes]:
    """Many letters at once, one PDF each: laid out as one document per chunk (the stylesheet,
    fonts and the cascade are set up once), then cut into letters by the anchor each letter starts
    with. With several processes (`OTKLIK_PDF_PROCESSES`, by default every core) a batch of at least
    `PARALLEL_FROM` letters is split among the rendering workers (`_workers`). The workers never
    touch the database, so this may run inside a transaction."""
    processes = settings.OTKLIK_PDF_PROCESSES if processes is None else processes
    size = chunk_size(len(docs), processes=processes, chunk=chunk)
    return to_pdf_chunks((docs[i : i + size] for i in range(0, len(docs), size)), processes=processes)


def chunk_size(count: int, *, processes: int | None = None, chunk: int = 25) -> int:
    """Letters per chunk: at most `chunk`, and at least three chunks per rendering process, so the
    caller can prepare the next chunk while the workers lay out the first ones."""
    processes = settings.OTKLIK_PDF_PROCESSES if processes is None else processes
    if processes <= 1 or count < PARALLEL_FROM:
        return max(1, min(chunk, count))
    return max(1, min(chunk, -(-count // (3 * processes))))


def to_pdf_chunks(chunks: Iterable[list[LetterDocument]], *, processes: int | None = None) -> list[bytes]:
    """The PDFs of chunks of letters, in order (see `iter_pdf_chunks`)."""
    return [pdf for part in iter_pdf_chunks(chunks, processes=processes) for pdf in part]


def iter_pdf_chunks(chunks: Iterable[list[LetterDocument]], *, processes: int | None = None) -> Iterator[list[bytes]]:
    """The PDFs of each chunk of letters, chunk by chunk in order. `chunks` may be a generator that
    builds each chunk's documents when asked: with rendering workers, every chunk is handed over as
    soon as it is built (building the next one overlaps with laying out the earlier ones), and the
    caller gets the first chunk's PDFs — to store them — while the workers go on with the rest."""
    processes = settings.OTKLIK_PDF_PROCESSES if processes is None else processes
    iterator = iter(chunks)
    head = list(itertools.islice(iterator, 2))
    if processes <= 1 or len(head) < 2 or sum(map(len, head)) < PARALLEL_FROM:
        for part in itertools.chain(head, iterator):
            yield _pdf_chunk(part)
        return
    parts: list[list[LetterDocument]] = []
    pending: list[Any] = []
    done = 0
    try:
        pool = _workers(processes)
        for part in itertools.chain(head, iterator):
            parts.append(part)
            pending.append(pool.submit(_pdf_chunk, part))
        for future in pending:
            result = future.result()
            done += 1
            yield result
    except BrokenProcessPool:
        _workers.cache_clear()  # a worker died (memory, a signal): the next batch starts a new pool
        logger.warning("letter rendering workers stopped; rendering in this process")
        for future in pending:
            future.cancel()
        parts.extend(iterator)  # the chunks not handed over yet
        for part in parts[done:]:
            yield _pdf_chunk(part)


# Fewer letters than this are rendered in the calling process: starting the work elsewhere costs
# more than it saves.
PARALLEL_FROM = 4


def _worker_start() -> None:
    import django

    django.setup()  # templates and settings; a worker opens no database connection


@lru_cache(maxsize=4)
def _workers(processes: int) -> Any:
    """Rendering processes kept for the life of this one. They come from a fork server — a clean
    process started once, without this process's database connections or open transaction — so
    a batch can be rendered while the caller holds its locks."""
    import atexit
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint"])
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_worker_start)
    atexit.register(pool.shutdown, wait=False, cancel_futures=True)
    return pool


def _pdf_chunk(docs: list[LetterDocument]) -> list[bytes]:
    from weasyprint import HTML

    html = _page(docs, css="", for_print=True)
    document = HTML(string=html, url_fetcher=_fetcher()).render(stylesheets=[_stylesheet()], font_config=_font_config())
    groups: list[list[Any]] = []
    seen: set[str] = set()
    for page in document.pages:
        # A letter's section is split over its pages and its anchor may show on each: a letter
        # starts where its anchor is seen for the first time.
        fresh = {name for name in page.anchors if name.startswith("letter-")} - seen
        if fresh or not groups:
            groups.append([])
            seen |= fresh
        groups[-1].append(page)
    if len(groups) != len(docs):
        raise RuntimeError(f"{len(docs)} letters laid out as {len(groups)}")
    return [document.copy(pages).write_pdf() for pages in groups]


@lru_cache(maxsize=1)
def default_layout() -> bytes:
    """The standard DOCX layout, built once per process with python-docx and filled by docxtpl."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)

    def paragraph(text: str, *, bold: bool = False, align: Any = None, size: int | None = None) -> None:
        p = document.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(0)

    paragraph("{{ body_name }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph("{%p for line in letterhead %}")
    paragraph("{{ line }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
    paragraph("{%p endfor %}")
    paragraph("")
    paragraph("№ {{ number }} от {{ date }}", size=12)
    paragraph("{{ reply_to }}", size=12)
    paragraph("{%p for line in addressee %}")
    paragraph("{{ line }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph("{%p endfor %}")
    paragraph("")
    paragraph("{%p for text in paragraphs %}")
    p = document.add_paragraph("{{ text }}")
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.first_line_indent = Cm(1.25)
    paragraph("{%p endfor %}")
    paragraph("")
    paragraph("{{ signer_position }}")
    paragraph("{{ signer_name }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph("")
    paragraph("{{ executor }}", size=10)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_context(doc: LetterDocument) -> dict[str, Any]:
    return {
        "body_name": doc.body_name,
        "letterhead": doc.letterhead,
        "number": doc.number_text,
        "date": doc.date_text,
        "reply_to": doc.reply_to,
        "addressee": doc.addressee,
        "subject": doc.subject,
        "paragraphs": doc.paragraphs,
        "signer_position": doc.signer_position,
        "signer_name": doc.signer_name,
        "executor": doc.executor,
        "extra": doc.extra,
    }


def to_docx(doc: LetterDocument, layout: bytes | None = None) -> bytes:
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(layout or default_layout()))
    try:
        template.render(docx_context(doc), autoescape=True)
    except Exception as exc:  # jinja2 errors of a custom layout
        raise ValidationError(f"Макет DOCX не заполняется: {exc}") from None
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
