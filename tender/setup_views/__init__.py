"""Set-up screens: create and edit a tender with its lots, segments, subsegments, requirements
and criteria. (Import and export of a scenario file: ``evaluation.scenario_views``.)

Thin views: a form parses the input, ``tender.permissions`` decides who may (non-staff get
404, staff without the right 403 with the reason), one service writes. Every form works without
JavaScript (post, redirect, get); on the segment page htmx swaps the criteria and subsegment
sections in place instead.

The package is split by screen; ``tender.setup_urls`` imports the views from here.
"""

from .deleting import (
    CriterionDeleteView,
    LotDeleteView,
    RequirementDeleteView,
    SegmentDeleteView,
    SetupDeleteView,
    SubSegmentDeleteView,
)
from .regions import (
    RegionFormView,
    RegionListView,
)
from .segments import (
    CriterionCreateView,
    CriterionEditView,
    SegmentCreateView,
    SegmentDecisionView,
    SegmentProvisionalView,
    SegmentView,
    SubSegmentCreateView,
)
from .tenders import (
    LotFormView,
    RequirementFormView,
    SetupOverviewView,
    TenderCreateView,
    TenderEditView,
)

__all__ = [
    "TenderCreateView",
    "SetupOverviewView",
    "TenderEditView",
    "LotFormView",
    "RequirementFormView",
    "SegmentCreateView",
    "SegmentView",
    "SegmentProvisionalView",
    "SegmentDecisionView",
    "CriterionCreateView",
    "SubSegmentCreateView",
    "CriterionEditView",
    "SetupDeleteView",
    "LotDeleteView",
    "SegmentDeleteView",
    "RequirementDeleteView",
    "CriterionDeleteView",
    "SubSegmentDeleteView",
    "RegionListView",
    "RegionFormView",
]
