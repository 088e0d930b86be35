"""Pages of the meeting-room booking service."""

from django.urls import path

from ..views import rooms as views

urlpatterns = [
    path("rooms/", views.room_list, name="rooms"),
    path("rooms/<int:pk>/", views.room_detail, name="room"),
    path("rooms/<int:pk>/photo/", views.room_photo, name="room_photo"),
    path("rooms/availability/", views.availability, name="availability"),
    path("bookings/new/", views.booking_new, name="booking_new"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/cancel-series/", views.series_cancel, name="series_cancel"),
    path("bookings/<int:pk>/download/invite.ics", views.booking_ics, name="booking_ics"),
]
