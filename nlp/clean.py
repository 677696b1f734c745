"""Cleaning of incoming text: HTML, e-mail quotes and signatures, boilerplate greetings.

`split_letter()` keeps every removed part (the signature often carries the applicant's name),
`clean_text()` returns just the substance.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Something that really is markup: a tag with a letter name, or an HTML entity.
_LOOKS_LIKE_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]{2,8});")
_DROP_BLOCKS = re.compile(r"<(script|style|head)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
# <!DOCTYPE html>, <?xml …?>: declarations, not text.
_DECLARATIONS = re.compile(r"<![a-zA-Z][^<>]*>|<\?[^<>]*\?>")
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|p|div|li|tr|h[1-6])\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"</?[a-zA-Z][^<>]*>")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

# A line from which everything below is a quoted earlier message.
_QUOTE_HEADERS = [
    re.compile(
        r"^-{2,}\s*(original message|forwarded message|исходное сообщение|пересылаемое сообщение)\s*-{2,}", re.I
    ),
    re.compile(
        r"^(on|в|\d{1,2}[./]\d{1,2}[./]\d{2,4}).{0,120}(wrote|пишет|написал|написала|написал\(а\))\s*:\s*$", re.I
    ),
    re.compile(r"^(от|from)\s*:\s*.+$", re.I),  # Outlook block «От: … Отправлено: … Кому: …»
]
_OUTLOOK_NEXT = re.compile(r"^(отправлено|sent|кому|to|дата|date|тема|subject)\s*:", re.I)

# Lines that open a signature: everything from here on is the signature.
_SIGNATURE_OPENERS = [
    re.compile(r"^--\s*$"),
    re.compile(r"^_{5,}\s*$"),
    re.compile(
        r"^(с\s+уважением|с\s+наилучшими\s+пожеланиями|всего\s+(доброго|хорошего)|best regards|regards)\b.*$", re.I
    ),
]
# Lines added by a mail program, dropped wherever they are.
_MAILER_LINES = re.compile(
    r"^(отправлено|sent|послано)\s+(с|из|from|via)\s+.{0,60}$|^get outlook for .{0,40}$|^sent from my .{0,40}$", re.I
)

_GREETING = re.compile(
    r"^\s*(здравствуйте|здраствуйте|добрый\s+(день|вечер|утро)|доброе\s+утро|доброго\s+(времени\s+суток|дня)|"
    r"приветствую(\s+вас)?|привет|(много)?уважаем\w*(\s+[^\s!,.\n]+){0,3}?)"
    r"\s*([!,.]+|\n|$)\s*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Letter:
    """A letter split into its parts; `body` is what the applicant wants."""

    greeting: str
    body: str
    signature: str
    quoted: str


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def strip_html(text: str) -> str:
    """Plain text of an HTML fragment; block ends become line breaks. Plain text passes through."""
    if not looks_like_html(text):
        return text
    text = _COMMENTS.sub(" ", text)
    text = _DECLARATIONS.sub(" ", text)
    text = _DROP_BLOCKS.sub(" ", text)
    text = _BREAKS.sub("\n", text)
    text = _TAGS.sub(" ", text)
    return html.unescape(text)


def normalize_whitespace(text: str) -> str:
    """Single spaces inside lines, no trailing spaces, at most one empty line in a row."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _cut_quotes(lines: list[str]) -> tuple[list[str], list[str]]:
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if i > 0 and any(p.match(stripped) for p in _QUOTE_HEADERS[:2]):
            return lines[:i], lines[i:]
        # «От: …» counts only when a mail header line follows, or it would eat «От: жильцов дома».
        if (
            i > 0
            and _QUOTE_HEADERS[2].match(stripped)
            and any(_OUTLOOK_NEXT.match(n.strip()) for n in lines[i + 1 : i + 4])
        ):
            return lines[:i], lines[i:]
    body: list[str] = []
    quoted: list[str] = []
    for line in lines:
        (quoted if line.lstrip().startswith(">") else body).append(line)
    return body, quoted


def _cut_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    kept = [line for line in lines if not _MAILER_LINES.match(line.strip())]
    mailer = [line for line in lines if _MAILER_LINES.match(line.strip())]
    for i, line in enumerate(kept):
        stripped = line.strip()
        if i > 0 and any(p.match(stripped) for p in _SIGNATURE_OPENERS):
            tail = [t for t in kept[i:] if t.strip()]
            # A real signature is short; a «С уважением» in the middle of a long letter is not the end.
            if len(tail) <= 8 and sum(len(t) for t in tail) <= 400:
                return kept[:i], kept[i:] + mailer
    return kept, mailer


def split_letter(raw: str) -> Letter:
    """Split an incoming text into greeting, body, signature and quoted earlier messages."""
    text = normalize_whitespace(strip_html(raw))
    lines = text.split("\n")
    lines, quoted = _cut_quotes(lines)
    lines, signature = _cut_signature(lines)
    body = "\n".join(lines).strip()
    greeting = ""
    match = _GREETING.match(body)
    # Only a greeting followed by something else is boilerplate; «Здравствуйте» alone stays.
    if match and match.end() < len(body):
        greeting = body[: match.end()].strip()
        body = body[match.end() :].lstrip()
    return Letter(
        greeting=greeting,
        body=normalize_whitespace(body),
        signature=normalize_whitespace("\n".join(signature)),
        quoted=normalize_whitespace("\n".join(quoted)),
    )


def clean_text(raw: str) -> str:
    """The substance of an incoming text: no markup, quotes, signature or greeting."""
    return split_letter(raw).body
