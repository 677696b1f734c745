"""Signals of 59-FZ art. 11 and of non-appeals: examples and their rate on real reports."""

from collections import Counter

import pytest

from nlp.signals import ABUSE, NOT_APPEAL, SignalCode, anonymity_signals, text_signals


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Спасибо большое за оперативную уборку снега!", {SignalCode.THANKS}),
        ("Выражаем благодарность Ивановой И.И. за помощь", {SignalCode.THANKS}),
        ("Спасибо, но когда починят фонарь?", set()),
        ("Надписи на опоре.\nЗаранее спасибо.", set()),
        ("Граффити убрать, спасибо.", set()),
        ("тест", {SignalCode.TEST}),
        ("Купить недорого, скидки до 50%! www.shop.ru", {SignalCode.SPAM}),
        ("фывапролд", {SignalCode.NONSENSE}),
        ("!!! ??? ;;; 99", {SignalCode.NONSENSE}),
        ("Роллет", set()),  # misspelt, yet a real report
        ("Не согласен с решением районного суда, прошу отменить", {SignalCode.COURT_DECISION}),
        ("Прошу исполнить решение суда о выселении соседа", set()),
        ("вы там все идиоты", {SignalCode.OFFENSIVE}),
        ("если не почините, я вас всех убью", {SignalCode.THREAT}),
        ("употреблять, себе, хлеба, страхуем, оскорблять, рубль, хулиган, сукно", set()),
    ],
)
def test_text_signals(text: str, codes: set[str]) -> None:
    assert {s.code for s in text_signals(text)} == codes


def test_anonymity() -> None:
    assert {s.code for s in anonymity_signals(has_surname=False, has_address=True)} == {SignalCode.NO_SURNAME}
    assert {s.code for s in anonymity_signals(has_surname=True, has_address=False)} == {SignalCode.NO_ADDRESS}
    assert anonymity_signals(has_surname=True, has_address=True) == []


def test_real_reports_rarely_raise_signals(spb_rows, kursk_rows) -> None:
    """Real citizens' reports are appeals: signals must stay rare, or operators stop reading them."""
    texts = [r["text"] for r in spb_rows[::4]] + [r["Текст Сообщения"] for r in kursk_rows]
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(s.code for s in text_signals(text))
    assert sum(counts[c] for c in NOT_APPEAL) / len(texts) < 0.002
    assert sum(counts[c] for c in ABUSE) / len(texts) < 0.001
