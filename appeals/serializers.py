"""API representations of appeals and questions."""

from __future__ import annotations

from rest_framework import serializers

from appeals.models import Appeal, Question


class QuestionSerializer(serializers.ModelSerializer):
    classifier_code = serializers.CharField(source="classifier.code", default=None, read_only=True)
    department = serializers.CharField(source="department.name", default=None, read_only=True)
    executor = serializers.CharField(source="executor.short_name", default=None, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "position",
            "text",
            "qtype",
            "classifier_code",
            "department",
            "executor",
            "status",
            "outcome",
            "measures_taken",
            "due_date",
            "answered_at",
        ]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)
    applicants = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "number",
            "received_at",
            "registered_at",
            "channel",
            "kind",
            "form",
            "character",
            "status",
            "due_date",
            "addressee",
            "summary",
            "text",
            "external_source",
            "external_id",
            "applicants",
            "questions",
        ]
        read_only_fields = fields

    def get_applicants(self, appeal: Appeal) -> list[str]:
        return [s.applicant.display_name for s in appeal.signatories.all()]
