from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views import View

from .models import Tender
from .selectors import tender_detail, tender_list


class TenderListView(LoginRequiredMixin, View):
    """Home page: the tenders the user may see, paginated."""

    def get(self, request):
        page = Paginator(tender_list(user=request.user), 20).get_page(request.GET.get("page"))
        return render(request, "tender/tender_list.html", {"page_obj": page, "query_string": ""})


class TenderDetailView(LoginRequiredMixin, View):
    def get(self, request, slug):
        try:
            tender = tender_detail(user=request.user, slug=slug)
        except Tender.DoesNotExist as exc:
            raise Http404 from exc
        return render(request, "tender/tender_detail.html", {"tender": tender})
