"""Pages of "My requests" and "My approvals" (/portal/mine/, login required)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from documents import selectors as documents_selectors

from ..forms.mine import ApprovalFilterForm, RequestFilterForm
from ..requests import my_requests as requests_page
from ..requests import request_providers
from ..selectors import mine as selectors

APPROVALS_PAGE_SIZE = 25


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def my_requests(request):
    providers = request_providers.all()
    form = RequestFilterForm(request.GET or None, providers=providers)
    kind, open_only, page = "", False, 1
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"]
        open_only = form.cleaned_data["open"]
        page = form.cleaned_data["page"] or 1
    result = requests_page(request.user, page=page, kind=kind, open_only=open_only)
    return render(
        request,
        "portal/mine/requests.html",
        {"form": form, "page": result, "querystring": _querystring_without_page(request)},
    )


@require_GET
def my_approvals(request):
    kinds = selectors.approval_kinds(request.user)
    form = ApprovalFilterForm(request.GET or None, kinds=kinds)
    chosen = None
    if form.is_bound and form.is_valid() and form.cleaned_data["kind"]:
        chosen = next(k for k in kinds if k.key == form.cleaned_data["kind"])
    queryset = selectors.approvals_of_kind(request.user, chosen)
    page = Paginator(queryset, APPROVALS_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {k.content_type_id: k.label for k in kinds}
    rows = []
    for step in selectors.with_content_types(page.object_list):
        _allowed, behalf = documents_selectors.step_actor(step, request.user)
        rows.append(
            {
                "step": step,
                "chain": step.chain,
                "kind": labels.get(step.chain.target_content_type_id, ""),
                "behalf": behalf,
            }
        )
    people = selectors.people_by_id({row["behalf"] for row in rows if row["behalf"]})
    for row in rows:
        row["behalf"] = people.get(row["behalf"])
    return render(
        request,
        "portal/mine/approvals.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "total": sum(k.count for k in kinds),
            "querystring": _querystring_without_page(request),
        },
    )
