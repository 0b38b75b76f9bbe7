"""Read-only console pages of the catalogue: services and customer contracts (conventions).

Routed from ``servicedesk/urls_console.py`` (namespace ``console``, under ``/console/``).
Editing happens in Django's admin for now (superusers get a link). A service or contract
outside the user's scope answers 404 exactly like a missing one:

- services: those whose provider is one of the user's console organisations (subtree), for
  coordinators too (the consortium's coordinator, on the root, sees them all; superusers too);
- contracts: ``selectors.contracts_visible_to`` the user's console organisations.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render

from esup_saas.tenancy.models import CONSOLE_ROLES
from esup_saas.tenancy.selectors import organisation_ids_for
from esup_saas.tenancy.views import console_required

from .models import CustomerContract, Document, Service
from .selectors import contracts_visible_to


def services_for_console(user: object) -> QuerySet[Service]:
    """Services shown in the console to ``user`` (see module docstring), by name.

    The tree rule holds for coordinators too: one on the consortium's root sees every
    service, one on a working group (or on a single provider) only those below it.
    """
    services = Service.objects.select_related("family", "provider").order_by("name")
    return services.filter(provider_id__in=organisation_ids_for(user, CONSOLE_ROLES))


def contracts_for_console(user: object) -> QuerySet[CustomerContract]:
    """Customer contracts shown in the console to ``user``."""
    return contracts_visible_to(organisation_ids_for(user, CONSOLE_ROLES))


def _document_response(document: Document) -> HttpResponseBase:
    if document.kind == Document.Kind.LINK or not document.file:
        if not document.url:
            raise Http404("document")
        return HttpResponseRedirect(document.url)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("file") from None
    filename = (document.file.name or "document").rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=filename)


@console_required
def service_list(request: HttpRequest) -> HttpResponse:
    """The services of the user's providers (all of them for coordinators)."""
    services = services_for_console(request.user).prefetch_related("subcategories")
    return render(request, "catalog/service_list.html", {"services": services})


@console_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One service: subcategories, documents and links, contacts, covering contracts."""
    service = get_object_or_404(services_for_console(request.user), pk=pk)
    documents = service.documents.all()
    context = {
        "service": service,
        "subcategories": service.subcategories.all(),
        "files": [d for d in documents if d.kind == Document.Kind.FILE],
        "links": [d for d in documents if d.kind == Document.Kind.LINK],
        "contacts": service.contacts.select_related("organisation"),
        "contracts": contracts_for_console(request.user).filter(services=service).distinct(),
    }
    return render(request, "catalog/service_detail.html", context)


@console_required
def service_document(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponseBase:
    """Download (or follow) a document of a service the user may see."""
    service = get_object_or_404(services_for_console(request.user), pk=pk)
    return _document_response(get_object_or_404(service.documents, pk=doc_pk))


@console_required
def contract_list(request: HttpRequest) -> HttpResponse:
    """The customer contracts (conventions, CGU) the user may see, like iTop's list."""
    contracts = contracts_for_console(request.user).order_by("customer__name", "name")
    return render(request, "catalog/contract_list.html", {"contracts": contracts})


@console_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One customer contract: covered services, documents, contacts, CGU acceptances."""
    contract = get_object_or_404(contracts_for_console(request.user), pk=pk)
    visible_services = set(services_for_console(request.user).values_list("pk", flat=True))
    context = {
        "contract": contract,
        "covered": contract.covered.select_related("service", "service__provider"),
        "visible_services": visible_services,
        "documents": contract.documents.all(),
        "contacts": contract.contacts.select_related("organisation"),
        "acceptances": contract.cgu_acceptances.select_related("accepted_by"),
    }
    return render(request, "catalog/contract_detail.html", context)


@console_required
def contract_document(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponseBase:
    """Download (or follow) a document of a contract the user may see."""
    contract = get_object_or_404(contracts_for_console(request.user), pk=pk)
    return _document_response(get_object_or_404(contract.documents, pk=doc_pk))
