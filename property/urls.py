"""Pages of the property app."""

from django.urls import path

from . import views

app_name = "property"

urlpatterns = [
    path("", views.custody, name="custody"),
    path("items/", views.item_list, name="items"),
    path("items/export/", views.item_export, name="item-export"),
    path("items/labels/", views.item_labels, name="item-labels"),
    path("items/import/", views.item_import, name="item-import"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("transfer/", views.transfer_start, name="transfer-start"),
    path("scrap/", views.scrap_start, name="scrap-start"),
    path("value-change/", views.value_change_start, name="value-change-start"),
    path("sale/", views.sale_start, name="sale-start"),
    path("acquisition/", views.acquisition_start, name="acquisition-start"),
    path("movements/", views.movement_list, name="movements"),
    path("movements/<int:pk>/", views.movement_detail, name="movement"),
    path("movements/<int:pk>/form.pdf", views.movement_form, name="movement-form"),
    path(
        "movements/<int:pk>/attachments/",
        views.movement_attachment_add,
        name="movement-attachment-add",
    ),
    path(
        "movements/<int:pk>/attachments/<int:attachment_pk>/",
        views.movement_attachment,
        name="movement-attachment",
    ),
    path("movements/<int:pk>/accept/", views.movement_accept, name="movement-accept"),
    path("movements/<int:pk>/refuse/", views.movement_refuse, name="movement-refuse"),
    path("movements/<int:pk>/withdraw/", views.movement_withdraw, name="movement-withdraw"),
    path("movements/<int:pk>/assign/", views.handover_assign, name="handover-assign"),
    path("stocktakes/", views.stocktake_list, name="stocktakes"),
    path("stocktakes/<int:pk>/", views.stocktake_detail, name="stocktake"),
    path("stocktakes/<int:pk>/scan/", views.stocktake_scan, name="stocktake-scan"),
    path("stocktakes/<int:pk>/close/", views.stocktake_close, name="stocktake-close"),
    path("reports/balance/", views.balance_report, name="balance"),
    path("reports/transmission/", views.transmission_file, name="transmission"),
    path("reports/consolidated/", views.consolidation_list, name="consolidations"),
    path("reports/consolidated/<int:pk>/", views.consolidation_detail, name="consolidation"),
    path(
        "reports/consolidated/<int:pk>/<str:kind>/",
        views.consolidation_download,
        name="consolidation-download",
    ),
]
