from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("counties", views.CountyViewSet, basename="county")

urlpatterns = router.urls
