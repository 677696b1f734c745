"""Paper scans: how fast and how well Otklik's recognition path reads letters.

Takes real citizens' texts from ../shared/data/spb (the longer ones, distinct), lays each out as
a letter page (A4 at 200 dpi, DejaVu Sans 11 pt, wrapped) and sends it through
`intake.ocr.recognise_scan` — the same code the task runs: the checks, the page image, the
`tesseract` binary, the preview — twice: as a clean scan, and as a poor photocopy (turned by
1.5°, blurred, 1 % of the pixels speckled, saved as a JPEG at quality 40). The baseline in the
same run is the clean page read with Tesseract's English model only — what the installation
gives without the `tesseract-ocr-rus` package.

Measures per page: wall time, word recall (the share of the original's words of 3+ letters
found among the recognised ones) and character accuracy (difflib's ratio of the two texts with
spaces normalised).

    .venv/bin/python bench/ocr.py [--pages 30] [--seed 3]

Last line: rus_clean_word_recall=… rus_copy_word_recall=… eng_baseline_word_recall=… s_per_page=…
"""

from __future__ import annotations

import argparse
import csv
import difflib
import gzip
import io
import random
import re
import statistics
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

from _setup import ROOT, django_in_temp_database, percentile

DATA = ROOT.parent / "shared" / "data" / "spb" / "appeals_2020-10_2021-02.csv.gz"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
WORD = re.compile(r"[а-яёa-z]{3,}")


def texts(count: int, seed: int) -> list[str]:
    csv.field_size_limit(10_000_000)
    seen: set[str] = set()
    pool: list[str] = []
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            text = " ".join((row.get("text") or "").split())
            if 300 <= len(text) <= 1800 and text not in seen:
                seen.add(text)
                pool.append(text)
    random.Random(seed).shuffle(pool)
    return pool[:count]


HEADER = ["Главе администрации района", "", "ОБРАЩЕНИЕ", ""]


def letter(text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 31)  # 11 pt at 200 dpi
    lines = [*HEADER, *textwrap.wrap(text, 78)]
    image = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((160, 200 + i * 48), line, font=font, fill=0)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def photocopy(png: bytes, seed: int) -> bytes:
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    image = Image.open(io.BytesIO(png)).convert("L")
    image = image.rotate(1.5, resample=Image.Resampling.BICUBIC, fillcolor=255, expand=False)
    image = image.filter(ImageFilter.GaussianBlur(1.3))
    pixels = image.load()
    assert pixels is not None
    for _ in range(image.width * image.height // 100):  # 1 % speckles
        x, y = rng.randrange(image.width), rng.randrange(image.height)
        pixels[x, y] = rng.choice((0, 90, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=40)
    return out.getvalue()


def words(text: str) -> Counter[str]:
    return Counter(WORD.findall(text.lower().replace("ё", "е")))


def score(original: str, recognised: str) -> tuple[float, float]:
    want, got = words(original), words(recognised)
    recall = sum(min(n, got[w]) for w, n in want.items()) / max(1, sum(want.values()))
    a, b = " ".join(original.split()), " ".join(recognised.split())
    return recall, difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def run(name: str, pages: list[tuple[str, bytes]], languages: str) -> dict[str, float]:
    from django.conf import settings

    from intake.ocr import recognise_scan

    settings.OTKLIK_OCR_LANGUAGES = languages
    recalls, ratios, seconds = [], [], []
    for original, content in pages:
        started = time.perf_counter()
        result = recognise_scan("page.png", content)
        seconds.append(time.perf_counter() - started)
        recall, ratio = score(" ".join([*HEADER, original]), "\n".join(p.text for p in result))
        recalls.append(recall)
        ratios.append(ratio)
    figures = {
        "word_recall": statistics.mean(recalls),
        "char_accuracy": statistics.mean(ratios),
        "s_per_page": statistics.mean(seconds),
        "p90_s": percentile(seconds, 90),
        "worst_recall": min(recalls),
    }
    print(
        f"{name:<28} pages={len(pages):>3}  word recall {figures['word_recall']:.3f} "
        f"(worst {figures['worst_recall']:.3f})  char accuracy {figures['char_accuracy']:.3f}  "
        f"{figures['s_per_page']:.2f} s/page (p90 {figures['p90_s']:.2f})",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if not DATA.exists() or not FONT.exists():
        sys.exit(f"needs {DATA.relative_to(ROOT.parent)} and fonts-dejavu-core")
    django_in_temp_database()
    chosen = texts(args.pages, args.seed)
    clean = [(t, letter(t)) for t in chosen]
    copies = [(t, photocopy(png, args.seed + i)) for i, (t, png) in enumerate(clean)]
    print(f"{len(chosen)} letters from spb, median {statistics.median(len(t) for t in chosen):.0f} characters")
    rus_clean = run("rus, clean scan", clean, "rus")
    rus_copy = run("rus, poor photocopy (JPEG)", copies, "rus")
    eng = run("baseline: eng, clean scan", clean, "eng")
    print(
        f"rus_clean_word_recall={rus_clean['word_recall']:.3f} rus_copy_word_recall={rus_copy['word_recall']:.3f} "
        f"eng_baseline_word_recall={eng['word_recall']:.3f} s_per_page={rus_clean['s_per_page']:.2f}"
    )


if __name__ == "__main__":
    main()
