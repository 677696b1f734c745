"""Letter rendering speed: letters per second as plain text (the baseline), HTML, PDF and DOCX.

Each letter is made the way the service makes it: the applicant's name forms through pytrovich,
a starter wording (rotated over the answer groups) rendered with the question's real answer,
then laid out with the letterhead and signature. Answers are real final answers from
`../shared/data/spb` when the folder is there (else a fixed paragraph). Run:

    .venv/bin/python bench/letters.py [N]

Then the product's path: letters registered through `letters.services` in a demo database —
`letter_issue` one at a time (a registration by hand: number, PDF laid out in the request) and
`letters_issue` for a whole batch (the answers to a subject group: PDFs laid out by the rendering
workers inside the registering transaction).

The last line is the summary: `text_lps=N html_lps=N pdf_lps=N pdf_batch_lps=N pdf_parallel_lps=N
docx_lps=N issue_one_lps=N issue_batch_lps=N` (pdf: one letter per WeasyPrint document; pdf_batch:
`to_pdf_many` in one process; pdf_parallel: `to_pdf_many` on every core; issue_*: registered
letters per second, each with its stored PDF).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import sys
import time

from _setup import ROOT, django_in_temp_database

DATA = ROOT.parent / "shared" / "data" / "spb" / "appeals_2020-10_2021-02.csv.gz"
NAMES = [
    ("Иванов", "Иван", "Петрович"),
    ("Смирнова", "Анна", "Ивановна"),
    ("Кузнецов", "Олег", "Ильич"),
    ("Попова", "Мария", "Сергеевна"),
    ("Черных", "Игорь", "Викторович"),
    ("Лебедева", "Ольга", "Николаевна"),
    ("Римский-Корсаков", "Николай", "Андреевич"),
    ("Ким", "Елена", "Владимировна"),
]


def real_answers(limit: int) -> list[str]:
    if not DATA.exists():
        return ["Работы по ремонту покрытия выполнены, дефект устранён."] * limit
    csv.field_size_limit(10_000_000)
    found: list[str] = []
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for answer in json.loads(row["answers"] or "[]"):
                if answer.get("kind") == "Окончательный ответ" and len(answer.get("body") or "") > 80:
                    found.append(answer["body"])
                    break
            if len(found) >= limit:
                break
    return found


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    import os

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    django_in_temp_database()
    from letters.context import sample_context
    from letters.defaults import GROUPS
    from letters.names import person_name
    from letters.rendering import (
        LetterDocument,
        paragraphs_of,
        render_string,
        to_docx,
        to_html,
        to_pdf,
        to_pdf_many,
        to_text,
    )

    wordings = [
        body for situation, _n, _p, _o, variants in GROUPS if situation == "answer" for _v, _s, body in variants
    ]
    answers = real_answers(n)

    def document(i: int) -> LetterDocument:
        name = person_name(*NAMES[i % len(NAMES)])
        context = sample_context()
        context["applicant"] = name
        context["questions"][0]["answer"] = answers[i % len(answers)]
        context["appeal"]["number"] = f"ОГ-2026-{i + 1:06d}"
        text = render_string(wordings[i % len(wordings)], context)
        return LetterDocument(
            body_name="Администрация Центрального района Санкт-Петербурга",
            letterhead=["191023, Санкт-Петербург, наб. канала Грибоедова, д. 83", "тел. (812) 000-00-00"],
            number=f"{i + 1}-ОГ/2026",
            date=dt.date(2026, 6, 15),
            reply_to=f"На № ОГ-2026-{i + 1:06d} от 01.06.2026",
            addressee=[name.to, "190000, Санкт-Петербург, ул. Садовая, д. 1, кв. 2"],
            subject="Ответ на обращение",
            paragraphs=paragraphs_of(text),
            signer_position="Глава администрации",
            signer_name="И. И. Главный",
            executor="Исп. Петрова А. С.",
        )

    # Warm-up: fonts, the DOCX layout, the template cache are built once per process.
    to_pdf(document(0))
    to_docx(document(0))
    results = {}
    sizes = {}
    for label, render in (
        ("text", lambda d: to_text(d).encode()),
        ("html", lambda d: to_html(d).encode()),
        ("pdf", to_pdf),
        ("docx", to_docx),
    ):
        count = n if label in ("text", "html") else max(20, n // 2)
        start, cpu = time.perf_counter(), time.process_time()
        total = 0
        for i in range(count):
            total += len(render(document(i)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        results[label] = count / elapsed
        sizes[label] = total / count
        print(
            f"{label:9s} {count:5d} letters in {elapsed:7.2f} s: {results[label]:8.1f} letters/s "
            f"({count / cpu:7.1f} per CPU-second), {sizes[label] / 1024:6.1f} KiB each"
        )
    batch = 25
    count = max(batch, (n // 2) // batch * batch)
    start, cpu = time.perf_counter(), time.process_time()
    total = 0
    for first in range(0, count, batch):
        total += sum(len(p) for p in to_pdf_many([document(i) for i in range(first, first + batch)], processes=1))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    results["pdf_batch"] = count / elapsed
    print(
        f"pdf_batch {count:5d} letters in {elapsed:7.2f} s: {results['pdf_batch']:8.1f} letters/s "
        f"({count / cpu:7.1f} per CPU-second), "
        f"{total / count / 1024:6.1f} KiB each (batches of {batch}, one PDF per letter)"
    )
    processes = os.cpu_count() or 1
    count = max(4 * batch, count)
    to_pdf_many([document(i) for i in range(8)], processes=processes)  # the rendering workers start once
    start, cpu = time.perf_counter(), time.process_time()
    pdfs = to_pdf_many([document(i) for i in range(count)], processes=processes, chunk=batch)
    elapsed = time.perf_counter() - start
    results["pdf_parallel"] = count / elapsed
    print(
        f"pdf_par   {count:5d} letters in {elapsed:7.2f} s: {results['pdf_parallel']:8.1f} letters/s "
        f"({processes} processes, batches of {batch}), {sum(len(p) for p in pdfs) / count / 1024:6.1f} KiB each"
    )
    issue_one, issue_batch = registered_letters(max(40, n // 2))
    results["issue_one"], results["issue_batch"] = issue_one, issue_batch
    print(f"load average before the run: {load}; wall-clock figures fall when other processes share the cores")
    print(f"answers: {'real (spb final answers)' if DATA.exists() else 'fixed paragraph'}, {len(answers)} distinct")
    print(f"pdf is {results['text'] / results['pdf']:.0f}x slower than the plain-text baseline; target >= 20 letters/s")
    print(
        f"text_lps={results['text']:.1f} html_lps={results['html']:.1f} "
        f"pdf_lps={results['pdf']:.1f} pdf_batch_lps={results['pdf_batch']:.1f} "
        f"pdf_parallel_lps={results['pdf_parallel']:.1f} docx_lps={results['docx']:.1f} "
        f"issue_one_lps={results['issue_one']:.1f} issue_batch_lps={results['issue_batch']:.1f}"
    )


def registered_letters(count: int) -> tuple[float, float]:
    """Interim letters registered for demo appeals: one at a time, then `count` as one batch."""
    from django.conf import settings
    from django.contrib.auth.models import User

    from demo.generator import load_demo
    from letters.choices import Situation
    from letters.services import letter_issue, letter_prepare, letters_issue

    load_demo(appeals=max(200, count))
    operator = User.objects.get(username="operator")
    from appeals.models import Appeal

    appeals = list(Appeal.objects.filter(signatories__isnull=False).distinct().order_by("pk")[: 2 * count])
    drafts = [letter_prepare(appeal=a, actor=operator, situation=Situation.INTERIM) for a in appeals]
    one, batch = drafts[: len(drafts) // 2], drafts[len(drafts) // 2 :]
    one = one[: max(20, len(one) // 2)]
    start = time.perf_counter()
    for letter in one:
        letter_issue(letter=letter, actor=operator)
    one_rate = len(one) / (time.perf_counter() - start)
    print(f"issue one {len(one):5d} letters: {one_rate:8.1f} letters/s (letter_issue, one request each)")
    letters_issue(letters=batch[:8], actor=operator)  # the rendering workers start (once per process)
    batch = batch[8:]
    start = time.perf_counter()
    issued, refused = letters_issue(letters=batch, actor=operator)
    batch_rate = len(issued) / (time.perf_counter() - start)
    print(
        f"issue all {len(issued):5d} letters: {batch_rate:8.1f} letters/s "
        f"(letters_issue, one transaction, {settings.OTKLIK_PDF_PROCESSES} rendering processes; {len(refused)} refused)"
    )
    return one_rate, batch_rate


if __name__ == "__main__":
    main()
