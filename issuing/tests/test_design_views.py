"""Badge class management pages: permissions, create and edit flows, versions, images."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from issuing.models import Award, BadgeClass

from .conftest import png_bytes

ESCO_URL = "http://data.europa.eu/esco/skill/7b5cce4d-c7fe-4119-b48f-70aa05661d72"
PERSONAS = ["anonymous", "outsider", *[role.value for role in Role]]
DESIGNERS = {Role.DESIGNER, Role.ADMIN, Role.OWNER}


def login(client, w, persona):
    if persona == "outsider":
        client.force_login(w.outsider)
    elif persona != "anonymous":
        client.force_login(w.members[persona])


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_data(**overrides) -> dict:
    data = {
        "name": "Community Gardener",
        "description": "Looks after a shared urban garden through a whole season.",
        "achievement_type": "MicroCredential",
        "tags": "gardening, sustainability, gardening",
        "language": "en",
        "image_source": "designer",
        "fit": "pad",
        "shape": "hexagon",
        "icon": "leaf",
        "primary": "#1B5E20",
        "secondary": "#ffd54f",
        "line1": "Gardener",
        "line2": "",
        "criteria_narrative": "Tend a plot for **six months** and keep a garden diary.",
        "criteria_url": "",
        "eqf_level": "4",
        "learning_outcomes": "Plans a planting calendar\n\nComposts garden waste\n",
        "workload_hours": "60",
        "ects_credits": "2",
        "assessment_type": "Garden diary reviewed by a mentor",
        "participation_form": "onsite",
        "quality_assurance": "Reviewed yearly by the Hansa Academy board.",
        "prerequisites": "",
        "default_validity_days": "730",
        **management("alignments", 2),
        "alignments-0-framework": "ESCO",
        "alignments-0-target_name": "grow plants",
        "alignments-0-target_url": ESCO_URL,
        "alignments-0-target_code": "S6.2.1",
        "alignments-1-framework": "ESCO",
        **management("translations", 2),
        "translations-0-language": "fr",
        "translations-0-name": "Jardinier communautaire",
        "translations-0-description": "Entretient un jardin partagé pendant une saison.",
        "translations-1-language": "de",
        "translations-1-name": "Gemeinschaftsgärtner",
    }
    data.update(overrides)
    return data


def url(name, w, badge=None):
    kwargs = {"slug": w.organisation.slug}
    if badge is not None:
        kwargs["public_id"] = badge.public_id
    return reverse(f"issuing_design:{name}", kwargs=kwargs)


# -- permissions -----------------------------------------------------------------------------

VIEWS = [
    ("badge_class_list", "get", False, False),
    ("badge_class_detail", "get", True, False),
    ("badge_class_create", "get", False, True),
    ("badge_class_edit", "get", True, True),
    ("badge_class_archive", "get", True, True),
    ("badge_class_archive", "post", True, True),
    ("designer_preview", "get", False, True),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("view", "method", "needs_badge", "design_only"), VIEWS)
def test_permission_matrix(client, w, badge, persona, view, method, needs_badge, design_only):
    login(client, w, persona)
    response = getattr(client, method)(url(view, w, badge if needs_badge else None))
    if persona == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    elif persona == "outsider":
        assert response.status_code == 404
    elif design_only and persona not in DESIGNERS:
        assert response.status_code == 403
    else:
        assert response.status_code == (302 if method == "post" else 200)
    badge.refresh_from_db()
    archived = persona in DESIGNERS and view == "badge_class_archive" and method == "post"
    assert badge.is_archived == archived


def test_badge_classes_of_another_organisation_are_not_found(client, w, badge):
    client.force_login(w.outsider)
    response = client.get(
        reverse(
            "issuing_design:badge_class_detail",
            kwargs={"slug": w.other.slug, "public_id": badge.public_id},
        )
    )
    assert response.status_code == 404


def test_list_is_read_only_without_design_permission(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    page = client.get(url("badge_class_list", w)).content.decode()
    assert "Digital Facilitator" in page
    assert url("badge_class_create", w) not in page
    client.force_login(w.members[Role.DESIGNER])
    assert url("badge_class_create", w) in client.get(url("badge_class_list", w)).content.decode()


def test_list_shows_versions_counts_and_status(
    client, w, badge, award, django_assert_max_num_queries
):
    client.force_login(w.members[Role.REVIEWER])
    with django_assert_max_num_queries(12):
        response = client.get(url("badge_class_list", w))
    row = response.context["badge_classes"][0]
    assert (row.award_count, row.current_version.number, row.is_archived) == (1, 1, False)
    assert "?v=1" in response.content.decode()


# -- creating --------------------------------------------------------------------------------


def test_create_with_the_designer_saves_everything(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(url("badge_class_create", w), form_data())
    badge = BadgeClass.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("badge_class_detail", w, badge)
    version = badge.current_version
    assert version.name == "Community Gardener"
    assert version.image_type == "image/svg+xml"
    assert b"Gardener" in version.image.read()
    assert version.tags == ["gardening", "sustainability"]
    assert version.eqf_level == 4
    assert version.default_validity_days == 730
    assert version.alignments == [
        {
            "targetName": "grow plants",
            "targetUrl": ESCO_URL,
            "targetFramework": "ESCO",
            "targetType": "ext:ESCOSkill",
            "targetCode": "S6.2.1",
        }
    ]
    assert version.microcredential == {
        "learning_outcomes": ["Plans a planting calendar", "Composts garden waste"],
        "workload_hours": 60,
        "ects_credits": 2,
        "assessment_type": "Garden diary reviewed by a mentor",
        "participation_form": "onsite",
        "quality_assurance": "Reviewed yearly by the Hansa Academy board.",
    }
    assert version.translations == {
        "fr": {
            "name": "Jardinier communautaire",
            "description": "Entretient un jardin partagé pendant une saison.",
        },
        "de": {"name": "Gemeinschaftsgärtner"},
    }
    assert version.translated("name", "fr") == "Jardinier communautaire"
    page = client.get(response["Location"]).content.decode()
    assert "<strong>six months</strong>" in page
    assert "Gemeinschaftsgärtner" in page


def test_create_with_an_uploaded_picture(client, w):
    client.force_login(w.members[Role.ADMIN])
    output = io.BytesIO()
    Image.new("RGB", (400, 200), (0, 82, 147)).save(output, format="JPEG")
    data = form_data(
        image_source="upload",
        image=SimpleUploadedFile("team.jpg", output.getvalue(), content_type="image/jpeg"),
    )
    response = client.post(url("badge_class_create", w), data)
    assert response.status_code == 302
    version = BadgeClass.objects.get().current_version
    assert version.image_type == "image/png"
    assert Image.open(version.image).size == (400, 400)


def post_upload(client, w, content: bytes, filename="badge.png"):
    data = form_data(image_source="upload", image=SimpleUploadedFile(filename, content))
    return client.post(url("badge_class_create", w), data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not an image at all\n" * 50, "This file is not an image we accept"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (6 * 1024 * 1024), "larger than 5 MB"),
    ],
    ids=["text-renamed-png", "six-megabytes"],
)
def test_bad_uploads_are_refused_next_to_the_field(client, w, content, message):
    client.force_login(w.members[Role.DESIGNER])
    response = post_upload(client, w, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["image"])
    assert not BadgeClass.objects.exists()
    # What was typed is kept.
    assert response.context["form"]["name"].value() == "Community Gardener"


def test_fifty_megabyte_upload_is_cut_off_while_receiving(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = post_upload(client, w, b"\x89PNG\r\n\x1a\n" + bytes(50 * 1024 * 1024))
    form = response.context["form"]
    assert "larger than 5 MB" in " ".join(form.errors["image"])
    # The handler skipped the file: it never reached the form as an upload.
    assert form.files.get("image") is None
    assert response.wsgi_request.uploads_too_large == {"image"}
    # The fields sent after the file still arrived.
    translation = response.context["translation_formset"][0]
    assert translation["name"].value() == "Jardinier communautaire"


def test_svg_upload_is_stored_sanitised(client, w):
    client.force_login(w.members[Role.DESIGNER])
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        b"<script>alert(1)</script>"
        b'<circle cx="32" cy="32" r="30" fill="#039" onclick="alert(2)"/></svg>'
    )
    assert post_upload(client, w, svg, "logo.svg").status_code == 302
    stored = BadgeClass.objects.get().current_version.image.read()
    assert b"<circle" in stored
    assert b"script" not in stored and b"onclick" not in stored


def test_upload_chosen_without_a_file(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(url("badge_class_create", w), form_data(image_source="upload"))
    assert response.context["form"].errors["image"] == ["Choose an image file to upload."]


def test_esco_alignment_needs_an_esco_skill_uri(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(
        url("badge_class_create", w),
        form_data(**{"alignments-0-target_url": "https://example.org/skills/gardening"}),
    )
    errors = response.context["alignment_formset"][0].errors["target_url"]
    assert "http://data.europa.eu/esco/skill/" in errors[0]
    assert not BadgeClass.objects.exists()


def test_other_framework_alignment(client, w):
    client.force_login(w.members[Role.DESIGNER])
    data = form_data(
        **{
            "alignments-1-framework": "other",
            "alignments-1-framework_name": "DigComp 2.2",
            "alignments-1-target_name": "Netiquette",
            "alignments-1-target_url": "https://example.org/digcomp/2.2",
            "alignments-1-target_code": "2.5",
        }
    )
    assert client.post(url("badge_class_create", w), data).status_code == 302
    alignments = BadgeClass.objects.get().current_version.alignments
    assert alignments[1] == {
        "targetName": "Netiquette",
        "targetUrl": "https://example.org/digcomp/2.2",
        "targetFramework": "DigComp 2.2",
        "targetCode": "2.5",
    }


def test_translation_rows_are_checked(client, w):
    client.force_login(w.members[Role.DESIGNER])
    data = form_data(**{"translations-1-language": "fr", "translations-1-name": "Encore"})
    response = client.post(url("badge_class_create", w), data)
    assert response.context["translation_formset"][1].errors["language"] == [
        "This language is translated twice."
    ]
    data = form_data(**{"translations-0-language": "en"})
    response = client.post(url("badge_class_create", w), data)
    assert "already" in response.context["translation_formset"][0].errors["language"][0]
    data = form_data(**{"translations-0-language": ""})
    response = client.post(url("badge_class_create", w), data)
    assert response.context["translation_formset"][0].errors["language"]
    assert not BadgeClass.objects.exists()


def test_criteria_are_required_in_one_form_or_another(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(url("badge_class_create", w), form_data(criteria_narrative=""))
    assert response.context["form"].errors["criteria_narrative"]
    response = client.post(
        url("badge_class_create", w),
        form_data(criteria_narrative="", criteria_url="https://hansa.example.org/garden"),
    )
    assert response.status_code == 302


def test_bad_designer_values_are_shown_next_to_the_fields(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(url("badge_class_create", w), form_data(primary="blue"))
    assert "six hexadecimal digits" in response.context["form"].errors["primary"][0]
    assert response.context["preview_query"]  # the page still renders a preview


def test_update_preview_button_saves_nothing(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(
        url("badge_class_create", w), form_data(preview="1", shape="shield", line1="Spring")
    )
    assert response.status_code == 200
    assert "shape=shield" in response.context["preview_query"]
    assert "line1=Spring" in response.context["preview_query"]
    assert not response.context["form"].errors
    assert not BadgeClass.objects.exists()


def test_markdown_criteria_are_rendered_safely(client, w):
    client.force_login(w.members[Role.DESIGNER])
    narrative = "Keep a diary. <script>alert(1)</script> [click](javascript:alert(2))"
    client.post(url("badge_class_create", w), form_data(criteria_narrative=narrative))
    page = client.get(url("badge_class_detail", w, BadgeClass.objects.get())).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript' not in page


# -- editing and versions --------------------------------------------------------------------


def edit_data(badge, **overrides):
    version = badge.current_version
    data = form_data(**{"image_source": "keep", **overrides})
    data.update(
        {
            "name": version.name,
            "description": version.description,
            "criteria_narrative": version.criteria_narrative,
            "achievement_type": version.achievement_type,
        }
    )
    data.update(overrides)
    return data


def test_edit_form_is_filled_from_the_current_version(client, w, badge):
    client.force_login(w.members[Role.OWNER])
    response = client.get(url("badge_class_edit", w, badge))
    form = response.context["form"]
    assert form["name"].value() == "Digital Facilitator"
    assert form["tags"].value() == "facilitation, digital skills"
    assert form["image_source"].value() == "keep"
    assert form["workload_hours"].value() == 30
    assert response.context["alignment_formset"][0]["framework"].value() == "ESCO"
    assert response.context["translation_formset"][0]["name"].value() == "Facilitateur numérique"


def test_editing_before_any_award_changes_version_one(client, w, badge):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(url("badge_class_edit", w, badge), edit_data(badge, name="Facilitator"))
    assert response.status_code == 302
    badge.refresh_from_db()
    assert badge.versions.count() == 1
    assert badge.current_version.name == "Facilitator"
    assert badge.current_version.image_type == "image/png"  # kept


def test_editing_after_an_award_makes_version_two(client, w, badge, award):
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(
        url("badge_class_edit", w, badge),
        edit_data(badge, name="Senior Digital Facilitator", image_source="designer"),
    )
    assert response.status_code == 302
    badge.refresh_from_db()
    assert badge.current_version.number == 2
    assert badge.current_version.name == "Senior Digital Facilitator"
    assert badge.current_version.image_type == "image/svg+xml"
    award = Award.objects.get(pk=award.pk)
    assert award.badge_class_version.number == 1
    assert award.badge_class_version.name == "Digital Facilitator"
    assert award.badge_class_version.image_type == "image/png"
    page = client.get(url("badge_class_detail", w, badge))
    versions = page.context["versions"]
    assert [(v.number, v.award_count) for v in versions] == [(2, 0), (1, 1)]
    assert versions[0].created_by == w.members[Role.DESIGNER]
    assert page.context["award_count"] == 1


def test_edit_can_replace_the_image_with_an_upload(client, w, badge):
    client.force_login(w.members[Role.DESIGNER])
    data = edit_data(
        badge,
        image_source="upload",
        image=SimpleUploadedFile("new.png", png_bytes(256, (10, 200, 10, 255))),
    )
    assert client.post(url("badge_class_edit", w, badge), data).status_code == 302
    badge.refresh_from_db()
    assert Image.open(badge.current_version.image).getpixel((128, 128))[:3] == (10, 200, 10)


# -- detail, archive, preview ----------------------------------------------------------------


def test_detail_links_to_public_page_and_award_form(client, w, badge):
    client.force_login(w.members[Role.AWARDER])
    page = client.get(url("badge_class_detail", w, badge)).content.decode()
    assert reverse("issuing:badge_detail", args=[badge.public_id]) in page
    assert f"/o/{w.organisation.slug}/badges/{badge.public_id}/award/" in page
    assert reverse("bulk:upload", args=[w.organisation.slug, badge.public_id]) in page
    assert url("badge_class_edit", w, badge) not in page
    client.force_login(w.members[Role.DESIGNER])
    page = client.get(url("badge_class_detail", w, badge)).content.decode()
    assert f"/badges/{badge.public_id}/award/" not in page
    assert reverse("bulk:upload", args=[w.organisation.slug, badge.public_id]) not in page
    assert url("badge_class_edit", w, badge) in page


def test_archive_then_no_more_edits(client, w, badge, award):
    client.force_login(w.members[Role.DESIGNER])
    page = client.get(url("badge_class_archive", w, badge)).content.decode()
    assert "cannot be undone" in page
    response = client.post(url("badge_class_archive", w, badge), follow=True)
    assert "stay valid" in response.content.decode()
    badge.refresh_from_db()
    assert badge.is_archived
    listing = client.get(url("badge_class_list", w)).content.decode()
    assert "Archived" in listing
    response = client.get(url("badge_class_edit", w, badge))
    assert response.status_code == 302
    assert client.post(url("badge_class_edit", w, badge), edit_data(badge)).status_code == 302
    badge.refresh_from_db()
    assert badge.versions.count() == 1


def test_designer_preview_returns_a_sanitised_svg(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.get(
        url("designer_preview", w),
        {"shape": "shield", "icon": "people", "line1": "<b>Team</b>", "primary": "#123456"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert b"&lt;b&gt;Team" in response.content
    assert b'fill="#123456"' in response.content


def test_designer_preview_refuses_bad_values(client, w):
    client.force_login(w.members[Role.DESIGNER])
    response = client.get(url("designer_preview", w), {"primary": "javascript:alert(1)"})
    assert response.status_code == 400
    assert b"six hexadecimal digits" in response.content


def test_editing_keeps_what_the_form_does_not_show(client, w, db):
    from issuing import services

    badge = services.badge_class_create(
        actor=w.members[Role.DESIGNER],
        organisation=w.organisation,
        image=png_bytes(),
        name="Made through the API",
        description="Has details the form does not edit.",
        criteria_narrative="Do the thing.",
        language="pt-BR",
        alignments=[
            {
                "targetName": "Digital communication",
                "targetUrl": "https://example.org/digcomp/2.1",
                "targetFramework": "DigComp",
                "targetType": "CFItem",
                "targetDescription": "Interacting through digital technologies",
            }
        ],
        microcredential={
            "stackability": "Stacks into the Facilitator diploma",
            "workload_hours": 5,
        },
    )
    client.force_login(w.members[Role.DESIGNER])
    page = client.get(url("badge_class_edit", w, badge))
    form = page.context["form"]
    assert form["language"].value() == "pt-BR"
    row = page.context["alignment_formset"][0]
    data = {
        key: value
        for key, value in edit_data(
            badge, name="Renamed", language="pt-BR", workload_hours="8"
        ).items()
        if not key.startswith(("alignments-", "translations-"))
    }
    data.update(
        {
            **management("alignments", 1, 1),
            **{f"alignments-0-{field.name}": field.value() or "" for field in row},
            **management("translations", 0),
        }
    )
    response = client.post(url("badge_class_edit", w, badge), data)
    assert response.status_code == 302, response.context["form"].errors
    version = BadgeClass.objects.get(pk=badge.pk).current_version
    assert version.name == "Renamed"
    assert version.language == "pt-BR"
    assert version.microcredential["stackability"] == "Stacks into the Facilitator diploma"
    assert version.microcredential["workload_hours"] == 8
    assert version.alignments == [
        {
            "targetName": "Digital communication",
            "targetUrl": "https://example.org/digcomp/2.1",
            "targetFramework": "DigComp",
            "targetType": "CFItem",
            "targetDescription": "Interacting through digital technologies",
        }
    ]


def test_service_errors_land_next_to_their_fields():
    from django.core.exceptions import ValidationError

    from issuing.forms_design import BadgeClassForm
    from issuing.views_design import _apply_service_errors

    form = BadgeClassForm({})
    form.is_valid()
    sections = {}
    _apply_service_errors(
        ValidationError(
            {
                "alignments": ["Alignment 1 has an unknown target type x."],
                "microcredential": ["ECTS credits must be a positive number."],
                "tags": ["Too many tags."],
                "something_else": ["Unexpected."],
            }
        ),
        form,
        sections,
    )
    assert sections == {"alignments": ["Alignment 1 has an unknown target type x."]}
    assert form.errors["ects_credits"] == ["ECTS credits must be a positive number."]
    assert "Too many tags." in form.errors["tags"]
    assert "Unexpected." in form.non_field_errors()
    _apply_service_errors(ValidationError("Would not give valid Open Badges."), form, sections)
    assert "Would not give valid Open Badges." in form.non_field_errors()


def test_too_many_rows_are_refused_with_a_message(client, w):
    client.force_login(w.members[Role.DESIGNER])
    data = form_data(**management("alignments", 5000))
    response = client.post(url("badge_class_create", w), data)
    assert response.status_code == 200
    assert "30" in " ".join(response.context["alignment_formset"].non_form_errors())
    assert not BadgeClass.objects.exists()


def test_the_upload_views_still_check_csrf(w):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(w.members[Role.DESIGNER])
    response = client.post(url("badge_class_create", w), form_data())
    assert response.status_code == 403
    assert not BadgeClass.objects.exists()
