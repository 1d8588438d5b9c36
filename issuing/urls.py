"""Public URLs of issued documents. They are printed inside signed credentials and must keep
working forever: never rename or remove one (docs/issuing.md lists them)."""

from django.urls import path

from . import hosted

app_name = "issuing"

urlpatterns = [
    path("credentials/<uuid:public_id>", hosted.credential, name="credential"),
    path("credentials/<uuid:public_id>.jwt", hosted.credential_jwt, name="credential_jwt"),
    path("assertions/<uuid:public_id>", hosted.assertion, name="assertion"),
    path("awards/<uuid:public_id>", hosted.award_detail, name="award_detail"),
    path("awards/<uuid:public_id>/badge.png", hosted.baked_png, name="baked_png"),
    path("awards/<uuid:public_id>/badge.svg", hosted.baked_svg, name="baked_svg"),
    path("evidence/<uuid:public_id>/<str:filename>", hosted.evidence_file, name="evidence_file"),
    path("badges/<uuid:public_id>", hosted.badge, name="badge_detail"),
    path("badges/<uuid:public_id>/image", hosted.badge_image, name="badge_image"),
    path("issuers/<uuid:public_id>", hosted.issuer, name="issuer_detail"),
    path("issuers/<uuid:public_id>/image", hosted.issuer_image, name="issuer_image"),
    path("issuers/<uuid:public_id>/did.json", hosted.did_document, name="did_document"),
    path("issuers/<uuid:public_id>/jwks.json", hosted.jwks, name="jwks"),
    path("issuers/<uuid:public_id>/revocations", hosted.revocations, name="revocations"),
    path("issuers/<uuid:public_id>/status/<uuid:list_id>", hosted.status_list, name="status_list"),
]
