"""Pages of equipment loans and of supplies."""

from django.urls import path

from ..views import loans as views

urlpatterns = [
    path("loans/", views.item_list, name="loans"),
    path("loans/items/<int:pk>/", views.item_detail, name="loan_item"),
    path("loans/new/", views.loan_new, name="loan_new"),
    path("loans/mine/", views.my_loans, name="my_loans"),
    path("loans/desk/", views.loan_desk, name="loan_desk"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("loans/<int:pk>/cancel/", views.loan_cancel, name="loan_cancel"),
    path("loans/<int:pk>/checkout/", views.loan_checkout, name="loan_checkout"),
    path("loans/<int:pk>/return/", views.loan_return, name="loan_return"),
]
