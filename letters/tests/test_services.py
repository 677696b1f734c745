"""Letters through the services: composition, drafting from groups, rotation, registration, files."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals.choices import EventKind, Outcome
from appeals.models import AppealEvent
from letters import services
from letters.choices import LetterStatus, Situation
from letters.models import Letter, LetterSettings, LetterTemplate, TemplateGroup
from letters.selection import usage
from letters.tests.conftest import answered_appeal
from tests.factories import ApplicantFactory
from workflow.choices import StageCode, StageStatus
from workflow.models import StagePlan


def test_composition_warns_about_questions_without_paragraph(cast) -> None:
    from appeals import services as appeal_services

    answered = answered_appeal(cast, approve=False)
    extra = appeal_services.question_add(
        appeal=answered,
        actor=cast.operator.user,
        draft=appeal_services.QuestionDraft(text="Второй вопрос", executor=cast.executor),
    )
    composition = services.answer_composition(answered)
    assert not composition.complete
    assert composition.warnings == [
        "Вопрос 1: ответ ещё не утверждён (на согласовании).",
        f"Вопрос {extra.position}: нет абзаца ответа.",
    ]
    assert composition.parts[0].paragraph == "Фонарь у дома 5 отремонтирован 10.06.2026."


def test_prepare_answer_uses_group_of_outcome_and_name_forms(cast, answered) -> None:
    letter = services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER)
    assert letter.status == LetterStatus.DRAFT and not letter.number
    assert letter.group is not None and letter.group.outcome == Outcome.SUPPORTED
    assert letter.text.startswith("Уважаемый Иван Петрович!")
    assert "Фонарь у дома 5 отремонтирован" in letter.text
    assert answered.number in letter.subject
    assert letter.topic == "0003.0009"
    assert AppealEvent.objects.filter(appeal=answered, kind=EventKind.CHANGED, note__contains="проект").exists()


def test_classifier_specific_group_wins(cast, answered) -> None:
    group = TemplateGroup.objects.create(
        situation=Situation.ANSWER, name="Освещение", classifier_prefix="0003.0009.0097"
    )
    LetterTemplate.objects.create(group=group, name="Свет", subject="Свет", body="{{ applicant.greeting }} Про свет.")
    letter = services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER)
    assert letter.group == group and letter.text == "Уважаемый Иван Петрович! Про свет."


def test_rotation_avoids_variant_the_applicant_got(cast, answered) -> None:
    group = services.suggested_groups(answered, Situation.ANSWER)[0]
    seen = []
    for _ in range(group.variants.count()):
        seen.append(
            services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER).template_id
        )
    assert len(set(seen)) == len(seen)  # every wording once before any repeats
    again = services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER)
    assert again.template_id == seen[0]  # then the one they got longest ago


def test_rotation_prefers_rarest_wording_on_the_same_subject(cast, answered) -> None:
    group = services.suggested_groups(answered, Situation.ANSWER)[0]
    first = services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER)
    neighbour = ApplicantFactory(surname="Петрова", first_name="Анна", patronymic="Ивановна", gender="f")
    other = answered_appeal(cast, applicant=neighbour)
    second = services.letter_prepare(appeal=other, actor=cast.executor.user, situation=Situation.ANSWER)
    assert second.group == group and second.template_id != first.template_id
    assert second.text.startswith("Уважаемая Анна Ивановна!")
    counts = {u.template.pk: u.total for u in usage()}
    assert counts[first.template_id] == 1 and counts[second.template_id] == 1


def test_issue_numbers_files_and_dispatch(cast, answered, django_capture_on_commit_callbacks) -> None:
    LetterSettings.objects.create(body=cast.body, number_pattern="{seq:04d}-ОГ/{year}", letterhead="ИНН 7800000000")
    letter = services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER)
    when = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        issued = services.letter_issue(letter=letter, actor=cast.operator.user, when=when)
    assert len(callbacks) == 1  # the DOCX copy is stored by a task once the registration commits
    issued.refresh_from_db()
    assert issued.number == "0001-ОГ/2026" and issued.status == LetterStatus.ISSUED
    event = AppealEvent.objects.filter(appeal=answered, field="исходящее письмо").get()
    assert (event.old_value, event.new_value) == ("проект", "исх. № 0001-ОГ/2026 от 15.06.2026")
    assert issued.signer_name == "И. И. Главный"
    assert issued.pdf.read(5) == b"%PDF-"
    with zipfile.ZipFile(io.BytesIO(issued.docx.open("rb").read())) as docx:
        xml = docx.read("word/document.xml").decode()
    assert "Иванову И. П." in xml and "0001-ОГ/2026" in xml and "ИНН 7800000000" in xml
    assert "Фонарь у дома 5 отремонтирован" in xml and "{{" not in xml and "{%" not in xml
    second = services.letter_prepare(appeal=answered, actor=cast.operator.user, situation=Situation.INTERIM)
    assert services.letter_issue(letter=second, actor=cast.operator.user, when=when).number == "0002-ОГ/2026"
    stages = StagePlan.objects.filter(plan__question__appeal=answered, code=StageCode.DISPATCH)
    assert stages and all(s.status == StageStatus.DONE for s in stages)


def test_final_letter_waits_for_approval(cast) -> None:
    appeal = answered_appeal(cast, approve=False)
    letter = services.letter_prepare(appeal=appeal, actor=cast.executor.user, situation=Situation.ANSWER)
    with pytest.raises(ValidationError, match="не утверждён"):
        services.letter_issue(letter=letter, actor=cast.operator.user)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT and not letter.number
    interim = services.letter_prepare(appeal=appeal, actor=cast.executor.user, situation=Situation.INTERIM)
    assert services.letter_issue(letter=interim, actor=cast.operator.user).number.startswith("1-ОГ/")


def test_permissions(cast, answered) -> None:
    with pytest.raises(PermissionDenied):
        services.letter_prepare(appeal=answered, actor=cast.other_executor.user, situation=Situation.ANSWER)
    letter = services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER)
    with pytest.raises(PermissionDenied):
        services.letter_issue(letter=letter, actor=cast.executor.user)
    issued = services.letter_issue(letter=letter, actor=cast.head.user)
    with pytest.raises(PermissionDenied):
        services.letter_edit(letter=issued, actor=cast.head.user, subject="x", text="y")


def test_situation_fields_are_required(cast, answered) -> None:
    with pytest.raises(ValidationError, match="куда направлено"):
        services.letter_prepare(appeal=answered, actor=cast.operator.user, situation=Situation.FORWARDING)
    letter = services.letter_prepare(
        appeal=answered,
        actor=cast.operator.user,
        situation=Situation.FORWARDING,
        extra={"forwarded_to": "Комитет по благоустройству"},
    )
    assert "Комитет по благоустройству" in letter.text
    assert Letter.objects.filter(appeal=answered).count() == 1


def test_edit_and_cancel(cast, answered) -> None:
    letter = services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER)
    services.letter_edit(
        letter=letter, actor=cast.executor.user, subject="Ответ", text="Уважаемый Иван Петрович!\n\nГотово."
    )
    with pytest.raises(ValidationError):
        services.letter_edit(letter=letter, actor=cast.executor.user, subject="Ответ", text="  ")
    issued = services.letter_issue(letter=letter, actor=cast.operator.user)
    assert "Готово." in services.render_letter(issued, "txt").decode()
    with pytest.raises(ValidationError):
        services.letter_cancel(letter=issued, actor=cast.controller.user, reason="")
    assert services.letter_cancel(letter=issued, actor=cast.controller.user, reason="ошибка").status == "cancelled"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ applicant.greting }}", "Неизвестные поля"),
        ("{% if %}", "не разбирается"),
        ("{% include 'base.html' %}", "не"),
        ("   ", "пуст"),
    ],
)
def test_template_validation(body, message) -> None:
    with pytest.raises(ValidationError, match=message):
        services.template_validate(subject="Ответ", body=body)


def test_template_validation_accepts_every_documented_field() -> None:
    services.template_validate(
        subject="Ответ № {{ appeal.number }}",
        body="{{ applicant.greeting }} {{ applicant.to }} {% for q in questions %}{{ q.code }} {{ q.executor }}"
        "{% endfor %} {{ executor.short_name }} {{ deadline }} {{ signer.name }} {{ letter.number }} {{ extra.link }}",
    )


def test_cancelling_a_letter_withdraws_its_undelivered_messages(cast) -> None:
    from delivery.choices import OutboxStatus

    appeal = answered_appeal(cast, channel="post")
    letter = services.letter_issue(
        letter=services.letter_prepare(appeal=appeal, actor=cast.operator.user, situation=Situation.ANSWER),
        actor=cast.operator.user,
    )
    message = services.letter_send(letter=letter, actor=cast.operator.user)
    assert message.channel == "print" and message.reference == f"letter:{letter.pk}"
    services.letter_cancel(letter=letter, actor=cast.administrator.user, reason="адрес неверный")
    message.refresh_from_db()
    assert message.status == OutboxStatus.CANCELLED
    event = AppealEvent.objects.filter(appeal=appeal, new_value="отменено").get()
    assert event.old_value == f"исх. № {letter.number}" and "адрес неверный" in event.note


def test_batch_issue_numbers_each_letter_and_returns_the_refused_with_reason(cast, answered) -> None:
    others = [
        answered_appeal(
            cast, applicant=ApplicantFactory(surname=s, first_name="Анна", patronymic="Ивановна", gender="f")
        )
        for s in ("Петрова", "Сидорова", "Орлова", "Зайцева")
    ]
    appeals = [answered, *others]
    drafts = [services.letter_prepare(appeal=a, actor=cast.executor.user, situation=Situation.ANSWER) for a in appeals]
    Letter.objects.filter(pk=drafts[2].pk).update(applicant=None)  # nobody to answer
    when = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
    issued, refused = services.letters_issue(letters=drafts, actor=cast.operator.user, when=when)
    assert [letter.pk for letter, _reason in refused] == [drafts[2].pk]
    assert "нет заявителя" in refused[0][1]
    assert [letter.number for letter in issued] == ["1-ОГ/2026", "2-ОГ/2026", "3-ОГ/2026", "4-ОГ/2026"]
    for letter in issued:  # four letters: laid out by the rendering workers
        letter.refresh_from_db()
        assert letter.status == LetterStatus.ISSUED and letter.pdf.read(5) == b"%PDF-"
    assert Letter.objects.get(pk=drafts[2].pk).status == LetterStatus.DRAFT and not drafts[2].number
    issued_now, refused = services.letters_issue(letters=[drafts[2]], actor=cast.executor.user)
    assert not issued_now and "Зарегистрировать письмо может" in refused[0][1]
    assert services.letter_docx(issued[0])[:2] == b"PK"  # the DOCX copy made on first demand
    assert Letter.objects.get(pk=issued[0].pk).docx
