"""REST API v1 for integration clients: an appeal (with attachments) goes in through the same
entry service as every channel; a client's external id makes the call safe to repeat."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intake.attachments import check_attachments
from intake.choices import DOCUMENT_CONTENT_TYPE
from intake.models import IncomingItem, IntegrationClient
from intake.parsers import APPLICANT_FIELDS, ParseError, document_bytes, parse_document
from intake.services import item_receive


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class IntegrationTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <token>` of an active integration client."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[IntegrationClient, IntegrationClient] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Неверный заголовок Authorization: ожидается «Token <токен>».")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Неверный токен.") from None
        client = IntegrationClient.objects.filter(token_hash=token_hash(token), is_active=True).first()
        if client is None:
            raise AuthenticationFailed("Неверный или отозванный токен.")
        IntegrationClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return client, client

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IntegrationTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "intake.api.IntegrationTokenAuthentication"
    name = "integrationToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Token <токен клиента>"}


class IsIntegrationClient(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, IntegrationClient)


class ApplicantInSerializer(serializers.Serializer):
    surname = serializers.CharField(required=False, allow_blank=True, max_length=150)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    patronymic = serializers.CharField(required=False, allow_blank=True, max_length=150)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=450)
    organisation = serializers.CharField(required=False, allow_blank=True, max_length=500)
    inn = serializers.CharField(required=False, allow_blank=True, max_length=12)
    gosuslugi_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50)
    address = serializers.CharField(required=False, allow_blank=True, max_length=500)


class AttachmentInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_base64 = serializers.CharField(help_text="содержимое файла в base64")


class AppealInSerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=150, help_text="номер обращения в системе клиента")
    text = serializers.CharField(max_length=100_000)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=300)
    kind = serializers.ChoiceField(required=False, choices=["appeal", "message", "info_request"])
    addressee = serializers.CharField(required=False, allow_blank=True, max_length=300)
    applicant = ApplicantInSerializer(required=False)
    attachments = AttachmentInSerializer(many=True, required=False)
    consent_personal_data = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        document = {k: v for k, v in attrs.items() if k != "external_id"}
        if "applicant" in document:
            document["applicant"] = {k: v for k, v in document["applicant"].items() if k in APPLICANT_FIELDS and v}
        if "attachments" in document:
            document["attachments"] = [dict(a) for a in document["attachments"]]
        try:
            parsed = parse_document(document_bytes(document))
            check_attachments(parsed.attachments)
        except ParseError as exc:
            raise serializers.ValidationError(str(exc)) from None
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        attrs["document"] = document
        return attrs


class ItemOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    external_id = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    received_at = serializers.DateTimeField()
    appeal_number = serializers.SerializerMethodField()
    error = serializers.CharField()

    def get_external_id(self, item: IncomingItem) -> str:
        return item.source_id.split(":", 1)[-1]

    def get_appeal_number(self, item: IncomingItem) -> str | None:
        return item.appeal.number if item.appeal_id and item.appeal else None


class _ClientView(APIView):
    authentication_classes = [IntegrationTokenAuthentication]
    permission_classes = [IsIntegrationClient]

    def client(self) -> IntegrationClient:
        assert isinstance(self.request.auth, IntegrationClient)
        return self.request.auth


class IncomingAppealCreate(_ClientView):
    """Send an appeal. Repeating the call with the same `external_id` returns the same item
    (HTTP 200) instead of a second appeal; different content under a used id is a conflict (409)."""

    @extend_schema(
        request=AppealInSerializer,
        responses={
            201: ItemOutSerializer,
            200: OpenApiResponse(ItemOutSerializer, description="уже получено раньше"),
            400: OpenApiResponse(description="ошибка в данных, ничего не принято"),
            409: OpenApiResponse(description="этот external_id уже использован для другого содержимого"),
        },
        tags=["intake"],
    )
    def post(self, request: Request) -> Response:
        client = self.client()
        serializer = AppealInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payload = document_bytes(serializer.validated_data["document"])
        try:
            receipt = item_receive(
                channel=client.channel,
                source_id=f"{client.code}:{serializer.validated_data['external_id'].strip()}",
                payload=payload,
                content_type=DOCUMENT_CONTENT_TYPE,
                headers={"client": client.code},
                body=client.body,
                title=serializer.validated_data.get("summary", "")[:300],
            )
        except ValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        item = IncomingItem.objects.select_related("appeal").get(pk=receipt.item.pk)
        if not receipt.created and item.payload_sha256 != hashlib.sha256(payload).hexdigest():
            return Response(
                {
                    "detail": "Этот external_id уже использован для другого обращения.",
                    "item": ItemOutSerializer(item).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        code = status.HTTP_201_CREATED if receipt.created else status.HTTP_200_OK
        return Response(ItemOutSerializer(item).data, status=code)


class IncomingAppealStatus(_ClientView):
    """Where an appeal sent earlier stands: received, registered (with its number) or failed."""

    @extend_schema(responses={200: ItemOutSerializer}, tags=["intake"])
    def get(self, request: Request, external_id: str) -> Response:
        client = self.client()
        item = get_object_or_404(
            IncomingItem.objects.select_related("appeal"),
            channel=client.channel,
            source_id=f"{client.code}:{external_id}",
        )
        return Response(ItemOutSerializer(item).data)
