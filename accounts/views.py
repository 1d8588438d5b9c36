"""Pages for organisations, members, invitations and account settings.

Views only connect forms to services and selectors: permission checks live in those, and
their refusals become a 403 (PermissionDenied), a 404 (outsiders of private pages) or a
message next to the form (ValidationError).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import roles, selectors, services
from .forms import (
    AccountSettingsForm,
    DeleteOrganisationForm,
    InvitationForm,
    OrganisationCreateForm,
    OrganisationForm,
    RoleForm,
    role_choices,
)
from .language import remember_language
from .models import Organisation, Role
from .permissions import member_role


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _error_message(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _abilities(organisation: Organisation) -> dict[str, bool]:
    return roles.abilities(getattr(organisation, "my_role", None))


def _members_url(organisation: Organisation) -> str:
    return reverse("organisations:members", kwargs={"slug": organisation.slug})


# Organisations


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_for_user(request.user)
    role_labels = dict(Role.choices)
    for organisation in organisations:
        organisation.my_role_label = role_labels.get(organisation.my_role, "")
    return render(
        request,
        "accounts/organisation_list.html",
        {
            "organisations": organisations,
            "invitations": selectors.invitations_for_user(request.user),
        },
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been created. You are its owner.") % {"name": organisation.name},
            )
            return redirect("organisations:detail", slug=organisation.slug)
    return render(request, "accounts/organisation_create.html", {"form": form})


def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_public(slug)
    role = member_role(request.user, organisation)
    context = {"organisation": organisation, "my_role": role}
    if role:
        organisation.my_role = role
        context.update(
            my_role_label=Role(role).label,
            can=_abilities(organisation),
            member_count=organisation.memberships.count(),
        )
    return render(request, "accounts/organisation_detail.html", context)


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(
        user=request.user, slug=slug, permission=roles.CHANGE
    )
    # The form validates a copy: the page keeps showing the saved name while errors are fixed.
    form = OrganisationForm(
        request.POST or None, instance=Organisation.objects.get(pk=organisation.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user,
                organisation=organisation,
                **{field: form.cleaned_data[field] for field in form.Meta.fields},
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect("organisations:detail", slug=organisation.slug)
    return render(
        request,
        "accounts/organisation_edit.html",
        {"organisation": organisation, "form": form, "can": _abilities(organisation)},
    )


@login_required
def organisation_delete(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(
        user=request.user, slug=slug, permission=roles.DELETE
    )
    form = DeleteOrganisationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_delete(actor=request.user, organisation=organisation)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been deleted.") % {"name": organisation.name})
            return redirect("organisations:list")
    return render(
        request,
        "accounts/organisation_delete.html",
        {"organisation": organisation, "form": form, "can": _abilities(organisation)},
    )


@login_required
@require_POST
def organisation_leave(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(user=request.user, slug=slug)
    try:
        services.membership_leave(user=request.user, organisation=organisation)
    except ValidationError as error:
        _error_message(request, error)
        return redirect("organisations:detail", slug=organisation.slug)
    messages.success(request, _("You have left %(name)s.") % {"name": organisation.name})
    return redirect("organisations:list")


# Members and invitations


@login_required
def organisation_members(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(
        user=request.user,
        slug=slug,
        permission=roles.MANAGE_MEMBERS if request.method == "POST" else roles.VIEW,
    )
    can = _abilities(organisation)
    invite_form = None
    if can["manage_members"]:
        invite_form = InvitationForm(request.POST or None, may_manage_owners=can["manage_owners"])
        if request.method == "POST" and invite_form.is_valid():
            try:
                invitation = services.invitation_create(
                    actor=request.user,
                    organisation=organisation,
                    email=invite_form.cleaned_data["email"],
                    role=invite_form.cleaned_data["role"],
                )
            except ValidationError as error:
                _add_errors(invite_form, error)
            else:
                messages.success(
                    request,
                    _("An invitation has been sent to %(email)s.") % {"email": invitation.email},
                )
                return redirect(_members_url(organisation))
    members = list(selectors.members_for_organisation(user=request.user, organisation=organisation))
    choices = role_choices(may_manage_owners=can["manage_owners"])
    for membership in members:
        membership.is_me = membership.user_id == request.user.pk
        membership.manageable = can["manage_members"] and (
            membership.role != Role.OWNER or can["manage_owners"]
        )
        membership.role_choices = choices
    invitations = (
        selectors.invitations_pending(user=request.user, organisation=organisation)
        if can["manage_members"]
        else []
    )
    return render(
        request,
        "accounts/organisation_members.html",
        {
            "organisation": organisation,
            "can": can,
            "members": members,
            "invitations": invitations,
            "invite_form": invite_form,
            "invitation_max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        },
    )


@login_required
@require_POST
def membership_change_role(request: HttpRequest, slug: str, user_id) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(
        user=request.user, slug=slug, permission=roles.MANAGE_MEMBERS
    )
    membership = selectors.membership_get(
        user=request.user, organisation=organisation, user_public_id=user_id
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose one of the roles offered."))
        return redirect(_members_url(organisation))
    try:
        services.membership_change_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s.")
            % {"person": membership.user, "role": Role(form.cleaned_data["role"]).label},
        )
    return redirect(_members_url(organisation))


@login_required
@require_POST
def membership_remove(request: HttpRequest, slug: str, user_id) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(
        user=request.user, slug=slug, permission=roles.MANAGE_MEMBERS
    )
    membership = selectors.membership_get(
        user=request.user, organisation=organisation, user_public_id=user_id
    )
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as error:
        _error_message(request, error)
        return redirect(_members_url(organisation))
    messages.success(
        request,
        _("%(person)s is no longer a member.") % {"person": membership.user},
    )
    if membership.user_id == request.user.pk:
        return redirect("organisations:list")
    return redirect(_members_url(organisation))


def _invitation_manage(
    request: HttpRequest, slug: str, invitation_id, *, service, success: str
) -> HttpResponse:
    """Resending and withdrawing an invitation differ only in the service and the message."""
    organisation = selectors.organisation_get_for_member(
        user=request.user, slug=slug, permission=roles.MANAGE_MEMBERS
    )
    invitation = selectors.invitation_get_for_manage(
        user=request.user, organisation=organisation, public_id=invitation_id
    )
    try:
        service(actor=request.user, invitation=invitation)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, success % {"email": invitation.email})
    return redirect(_members_url(organisation))


@login_required
@require_POST
def invitation_resend(request: HttpRequest, slug: str, invitation_id) -> HttpResponse:
    return _invitation_manage(
        request,
        slug,
        invitation_id,
        service=services.invitation_resend,
        success=_("The invitation has been sent again to %(email)s."),
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id) -> HttpResponse:
    return _invitation_manage(
        request,
        slug,
        invitation_id,
        service=services.invitation_revoke,
        success=_("The invitation to %(email)s has been withdrawn."),
    )


# Answering an invitation


def _sign_in_first(token: str) -> HttpResponse:
    # Back to the invitation page, not to this POST-only address, once signed in.
    invitation_path = reverse("organisations:invitation", kwargs={"token": token})
    return redirect(f"{reverse('account_login')}?{urlencode({'next': invitation_path})}")


@never_cache
def invitation_detail(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_for_token(token)
    user = request.user if request.user.is_authenticated else None
    problem = services.invitation_problem(invitation, user)
    context = {"invitation": invitation, "problem": problem, "token": token}
    if invitation is None:
        return render(request, "accounts/invitation_detail.html", context, status=404)
    if problem:
        return render(request, "accounts/invitation_detail.html", context, status=410)
    if user is None:
        next_query = urlencode({"next": request.get_full_path()})
        context.update(
            login_url=f"{reverse('account_login')}?{next_query}",
            signup_url=f"{reverse('account_signup')}?{next_query}",
        )
    else:
        role = member_role(user, invitation.organisation)
        context.update(
            current_role_label=Role(role).label if role else "",
            accepted=invitation.accepted_at is not None,
            sent_to_someone_else=not selectors.user_has_address(user, invitation.email),
        )
    return render(request, "accounts/invitation_detail.html", context)


def _answer(request: HttpRequest, answer: str, **invitation) -> HttpResponse:
    if answer == "accept":
        membership = services.invitation_accept(user=request.user, **invitation)
        messages.success(
            request,
            _("Welcome to %(name)s. Your role: %(role)s.")
            % {"name": membership.organisation.name, "role": membership.get_role_display()},
        )
        return redirect("organisations:detail", slug=membership.organisation.slug)
    declined = services.invitation_decline(user=request.user, **invitation)
    messages.success(
        request,
        _("You have declined the invitation to %(name)s.") % {"name": declined.organisation.name},
    )
    return redirect("organisations:list")


@never_cache
@require_POST
def invitation_answer(request: HttpRequest, token: str, answer: str) -> HttpResponse:
    """Accept or decline with the secret link from the email."""
    if not request.user.is_authenticated:
        return _sign_in_first(token)
    try:
        return _answer(request, answer, token=token)
    except ValidationError as error:
        _error_message(request, error)
        return redirect("organisations:invitation", token=token)


@login_required
@require_POST
def my_invitation_answer(request: HttpRequest, invitation_id, answer: str) -> HttpResponse:
    """Accept or decline an invitation listed under "My organisations" (sent to a verified
    address of the signed-in person), without the link from the email."""
    if not selectors.invitations_for_user(request.user).filter(public_id=invitation_id).exists():
        raise Http404(_("No such invitation."))
    try:
        return _answer(request, answer, invitation_id=invitation_id)
    except ValidationError as error:
        _error_message(request, error)
        return redirect("organisations:list")


# Account


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    form = AccountSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            services.user_update_profile(
                user=request.user, name=form.cleaned_data["name"], language=language
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if language:
                translation.activate(language)
            messages.success(request, _("Your settings have been saved."))
            response = redirect("account_settings")
            remember_language(response, language)
            return response
    return render(request, "accounts/account_settings.html", {"form": form})
