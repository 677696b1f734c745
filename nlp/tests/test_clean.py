"""Cleaning incoming text: markup, quotes, signatures, greetings — on real texts and on letters."""

import re

from nlp.clean import clean_text, looks_like_html, split_letter, strip_html


def test_real_kursk_html_is_stripped_and_words_survive(kursk_rows) -> None:
    html_rows = [r["Текст Сообщения"] for r in kursk_rows if "<p" in r["Текст Сообщения"]]
    assert len(html_rows) > 500
    for raw in html_rows:
        cleaned = clean_text(raw)
        assert not re.search(r"</?[a-zA-Z][^>]*>", cleaned), cleaned[:200]
        assert "&nbsp;" not in cleaned and "\u00a0" not in cleaned
        # Nothing of substance is lost: the words of the text are still there.
        words = re.findall(r"[А-Яа-яЁё]{5,}", strip_html(raw))
        if words:
            assert words[-1] in cleaned or words[-1] in split_letter(raw).signature


def test_real_kursk_greeting_and_signature_are_split_off(kursk_rows) -> None:
    raw = next(
        r["Текст Сообщения"]
        for r in kursk_rows
        if "С уважением" in r["Текст Сообщения"] and "Добрый день" in r["Текст Сообщения"][:40]
    )
    letter = split_letter(raw)
    assert letter.greeting.startswith("Добрый день")
    assert letter.signature.startswith("С уважением")
    assert "С уважением" not in letter.body and not letter.body.startswith("Добрый")


def test_plain_text_with_angle_brackets_is_not_taken_for_html() -> None:
    text = "Температура в квартире <16 градусов, а должна быть >18."
    assert not looks_like_html(text)
    assert clean_text(text) == text


def test_email_quotes_signature_and_mailer_lines() -> None:
    raw = (
        "Здравствуйте!\n\nПрошу починить фонарь у дома 5.\n\nС уважением,\nИванов И. И.\n"
        "Отправлено с iPhone\n\n-----Original Message-----\nFrom: priem@adm.ru\n> Ваше обращение зарегистрировано"
    )
    letter = split_letter(raw)
    assert letter.greeting == "Здравствуйте!"
    assert letter.body == "Прошу починить фонарь у дома 5."
    assert "Иванов И. И." in letter.signature and "iPhone" in letter.signature
    assert letter.quoted.startswith("-----Original Message-----")


def test_outlook_header_block_only_with_mail_fields() -> None:
    quoted = split_letter("Не горит фонарь.\nОт: Петров\nОтправлено: 1 марта\nТема: фонарь\nстарый текст")
    assert quoted.body == "Не горит фонарь." and quoted.quoted.startswith("От: Петров")
    kept = split_letter("Просим помочь.\nОт: жильцов дома 7 по улице Ленина")
    assert "От: жильцов" in kept.body


def test_greeting_needs_punctuation_and_something_after_it() -> None:
    assert split_letter("Уважаемый Андрей Викторович! Прошу решить.").greeting == "Уважаемый Андрей Викторович!"
    assert split_letter("Уважаемая администрация. Прошу").body == "Прошу"
    # Without punctuation the «greeting» may be the request itself: nothing is cut.
    assert split_letter("Уважаемый Андрей Викторович прошу починить").greeting == ""
    assert split_letter("Здравствуйте").body == "Здравствуйте"


def test_a_long_letter_keeps_a_regards_line_in_the_middle() -> None:
    body = "Прошу разобраться.\nС уважением к вашему труду, но так жить нельзя.\n" + "\n".join(
        f"Пункт {i}: подробности о проблеме, которые занимают место." for i in range(12)
    )
    assert "Пункт 11" in clean_text(body)


def test_doctype_and_xml_declarations_are_not_text() -> None:
    raw = (
        '<?xml version="1.0"?><!DOCTYPE html><html><body><p>Добрый день!</p><p>Нет света в подъезде.</p></body></html>'
    )
    assert strip_html(raw).split() == ["Добрый", "день!", "Нет", "света", "в", "подъезде."]
    assert clean_text(raw) == "Нет света в подъезде."
