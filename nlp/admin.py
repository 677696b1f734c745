from django.contrib import admin

from nlp.models import GazetteerAddress


@admin.register(GazetteerAddress)
class GazetteerAddressAdmin(admin.ModelAdmin):
    list_display = ("address", "district", "lat", "lon")
    list_filter = ("district",)
    search_fields = ("address",)
    readonly_fields = ("street_key", "house")
