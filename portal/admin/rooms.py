"""Admin of the employee portal (room booking). Buildings, equipment and rooms are edited
here; bookings and series are made through the services (every occurrence checked, no double
booking) and are read-only here, with an action that cancels through the service."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Booking, BookingSeries, Building, Equipment, Room


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "address", "sort_order"]
    search_fields = ["code", "name_zh", "name_en", "address"]
    list_filter = ["created_at"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]
    list_filter = ["created_at"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "building",
        "floor",
        "capacity",
        "accessible",
        "restricted",
        "approver",
        "managing_unit",
        "horizon_days",
        "max_minutes",
        "is_active",
    ]
    list_filter = ["building", "accessible", "restricted", "is_active", "equipment"]
    search_fields = ["code", "name_zh", "name_en", "building__name_zh", "floor"]
    list_select_related = ["building", "approver", "managing_unit"]
    raw_id_fields = ["approver", "managing_unit"]
    filter_horizontal = ["equipment"]


@admin.action(description=_("Cancel the selected bookings"))
def cancel_bookings(modeladmin, request, queryset):
    done = 0
    for booking in queryset.select_related("room"):
        try:
            services.booking_cancel(booking=booking, actor=request.user)
        except (PermissionDenied, ValidationError) as exc:
            modeladmin.message_user(request, f"{booking.pk}: {exc}", messages.WARNING)
        else:
            done += 1
    modeladmin.message_user(request, _("%(count)d booking(s) cancelled.") % {"count": done})


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["title", "room", "start", "end", "status", "organiser", "series"]
    list_filter = ["status", "room__building", "start"]
    search_fields = ["title", "organiser__username", "organiser__name_zh", "room__code"]
    list_select_related = ["room", "organiser", "series"]
    raw_id_fields = ["room", "organiser", "series", "cancelled_by"]
    date_hierarchy = "start"
    actions = [cancel_bookings]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BookingSeries)
class BookingSeriesAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "room",
        "freq",
        "weekdays",
        "until",
        "count",
        "organiser",
        "created_at",
    ]
    list_filter = ["freq", "room__building"]
    search_fields = ["title", "organiser__username", "room__code"]
    list_select_related = ["room", "organiser"]
    raw_id_fields = ["room", "organiser"]

    def has_delete_permission(self, request, obj=None):
        return False
