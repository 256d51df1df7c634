"""Routes of the scoring API (/api/v1/assignments/, /consensus/, /requirement-answers/)."""

from rest_framework.routers import SimpleRouter

from .scoring_views import AssignmentViewSet, ConsensusViewSet, RequirementAnswerViewSet

router = SimpleRouter()
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("consensus", ConsensusViewSet, basename="consensus")
router.register("requirement-answers", RequirementAnswerViewSet, basename="requirement-answer")
urlpatterns = router.urls
