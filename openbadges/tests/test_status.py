"""Status lists: 1EdTech revocation lists, W3C Bitstring Status List, OB 2.0 RevocationList."""

import base64
import gzip

import pytest

from openbadges.status import (
    MIN_ENTRIES,
    StatusListError,
    bitstring_decode,
    bitstring_encode,
    bitstring_entry,
    bitstring_get,
    bitstring_new,
    bitstring_put,
    bitstring_set,
    bitstring_status_list_credential,
    check_bitstring_entry,
    check_ob2_revocation_list,
    check_revocation_list,
    ob2_revocation_list_document,
    parse_bitstring_entry,
    revocation_list_document,
    status_entries,
)

# W3C Bitstring Status List v1.0, "Example BitstringStatusListCredential": an empty 16 KB list.
SPEC_EXAMPLE_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
# Digital Bazaar vc-bitstring-status-list unit-test data (the bare base64url form its encoder
# returns; the multibase form adds "u"): 100,000 entries, empty / with index 50,000 set.
DB_LIST_100K_EMPTY = "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQsvoAAAAAAAAAAAAAAAAP4GcwM92tQwAAA"
DB_LIST_100K_50K_SET = "uH4sIAAAAAAAAA-3OMQ0AAAgDsElHOh72EJJWQRMAAAAAAIDWXAcAAAAAAIDHFvRitn7UMAAA"

LIST_URL = "https://badges.example.eu/status/3"


def status_list_credential(encoded_list, purpose="revocation"):
    return bitstring_status_list_credential(
        id=LIST_URL,
        issuer="did:example:12345",
        valid_from="2021-04-05T14:27:40Z",
        encoded_list=encoded_list,
        status_purpose=purpose,
    )


# -- bitstring encoding -------------------------------------------------------------------------


def test_spec_example_list_is_empty_and_16kb():
    bits = bitstring_decode(SPEC_EXAMPLE_LIST)
    assert len(bits) == 16 * 1024
    assert not any(bits)


def test_digital_bazaar_vector_has_exactly_index_50000_set():
    bits = bitstring_decode(DB_LIST_100K_50K_SET)
    assert len(bits) * 8 == 100_000
    assert bitstring_get(bits, 50_000) == 1
    assert bitstring_get(bits, 49_999) == 0
    assert bitstring_get(bits, 50_001) == 0
    assert sum(bin(b).count("1") for b in bits) == 1
    # Index 50,000 is byte 6,250, left-most bit.
    assert bits[6250] == 0b1000_0000


def test_bare_base64url_lists_are_read():
    bits = bitstring_decode(DB_LIST_100K_EMPTY)
    assert len(bits) * 8 == 100_000
    assert not any(bits)


def test_encode_round_trip_and_determinism():
    bits = bitstring_new()
    bitstring_put(bits, 0)
    bitstring_put(bits, 94_567)
    bitstring_put(bits, MIN_ENTRIES - 1)
    encoded = bitstring_encode(bits)
    assert encoded.startswith("uH4sI")
    assert "=" not in encoded
    assert encoded == bitstring_encode(bits)
    decoded = bitstring_decode(encoded)
    assert decoded == bits
    assert [i for i in (0, 1, 94_566, 94_567, MIN_ENTRIES - 1) if bitstring_get(decoded, i)] == [
        0,
        94_567,
        MIN_ENTRIES - 1,
    ]
    # Left-most bit of the first byte is index 0; right-most of the last is the last index.
    assert decoded[0] == 0x80
    assert decoded[-1] == 0x01


def test_bitstring_set_reproduces_the_digital_bazaar_vector_bits():
    bits = bytearray(100_000 // 8)
    updated = bitstring_set(bitstring_encode(bits), 50_000)
    assert bitstring_decode(updated) == bitstring_decode(DB_LIST_100K_50K_SET)
    cleared = bitstring_set(updated, 50_000, 0)
    assert not any(bitstring_decode(cleared))


def test_multi_bit_statuses():
    bits = bitstring_new(status_size=2)
    assert len(bits) == MIN_ENTRIES * 2 // 8
    bitstring_put(bits, 5, 2, status_size=2)
    bitstring_put(bits, 6, 3, status_size=2)
    assert bitstring_get(bits, 5, status_size=2) == 2
    assert bitstring_get(bits, 6, status_size=2) == 3
    assert bitstring_get(bits, 4, status_size=2) == 0
    assert bits[1] == 0b0010_1100  # entries 4..7 of 2 bits: 00 10 11 00
    bitstring_put(bits, 6, 1, status_size=2)
    assert bitstring_get(bits, 6, status_size=2) == 1
    with pytest.raises(StatusListError):
        bitstring_put(bits, 6, 4, status_size=2)


def test_lists_shorter_than_the_minimum_are_not_created():
    with pytest.raises(StatusListError):
        bitstring_new(1000)


@pytest.mark.parametrize("index", [-1, 16 * 1024 * 8, True, "3"])
def test_out_of_range_or_malformed_index(index):
    with pytest.raises(StatusListError):
        bitstring_get(bytes(16 * 1024), index)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "u!!!",
        "u" + base64.urlsafe_b64encode(b"not gzip").decode(),
        "u"
        + base64.urlsafe_b64encode(gzip.compress(bytes(100), mtime=0)[:-12]).decode().rstrip("="),
        None,
    ],
)
def test_malformed_encoded_lists(encoded):
    with pytest.raises(StatusListError):
        bitstring_decode(encoded)


def test_gzip_bombs_are_refused():
    bomb = bitstring_encode(bytes(4 * 1024 * 1024))
    assert len(bomb) < 10_000
    with pytest.raises(StatusListError) as info:
        bitstring_decode(bomb, max_bytes=1024 * 1024)
    assert "larger than" in info.value.message


# -- bitstring entries --------------------------------------------------------------------------


def test_spec_entry_shape():
    entry = bitstring_entry(list_url=LIST_URL, index=94567)
    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    assert parse_bitstring_entry(entry) == (LIST_URL, 94567, "revocation", 1)


@pytest.mark.parametrize(
    "change",
    [
        {"statusListIndex": "-1"},
        {"statusListIndex": "+5"},
        {"statusListIndex": " 5"},
        {"statusListIndex": "١٢"},
        {"statusListIndex": 1.5},
        {"statusListCredential": None},
        {"statusPurpose": ""},
        {"statusSize": 0},
        {"statusSize": 2},
        {"type": "StatusList2021Entry"},
    ],
)
def test_malformed_entries(change):
    entry = {**bitstring_entry(list_url=LIST_URL, index=7), **change}
    with pytest.raises(StatusListError):
        parse_bitstring_entry(entry)


def test_numeric_index_is_accepted():
    entry = {**bitstring_entry(list_url=LIST_URL, index=7), "statusListIndex": 7}
    assert parse_bitstring_entry(entry)[1] == 7


def test_revoked_and_not_revoked_against_a_list_credential():
    bits = bitstring_new()
    bitstring_put(bits, 94567)
    slc = status_list_credential(bitstring_encode(bits))
    revoked = check_bitstring_entry(bitstring_entry(list_url=LIST_URL, index=94567), slc)
    assert revoked.revoked and revoked.set and revoked.value == 1
    fine = check_bitstring_entry(bitstring_entry(list_url=LIST_URL, index=94566), slc)
    assert not fine.revoked and not fine.set


def test_suspension_purpose():
    bits = bitstring_new()
    bitstring_put(bits, 23452)
    slc = status_list_credential(bitstring_encode(bits), purpose="suspension")
    entry = bitstring_entry(list_url=LIST_URL, index=23452, status_purpose="suspension")
    result = check_bitstring_entry(entry, slc)
    assert result.suspended and not result.revoked


def test_purpose_must_match_the_list():
    slc = status_list_credential(SPEC_EXAMPLE_LIST, purpose="suspension")
    with pytest.raises(StatusListError) as info:
        check_bitstring_entry(bitstring_entry(list_url=LIST_URL, index=1), slc)
    assert info.value.code == "status.purpose_mismatch"


def test_a_list_may_carry_several_purposes():
    slc = status_list_credential(SPEC_EXAMPLE_LIST)
    slc["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    entry = bitstring_entry(list_url=LIST_URL, index=1, status_purpose="suspension")
    assert not check_bitstring_entry(entry, slc).set


def test_short_lists_fail_with_the_length_error():
    slc = status_list_credential(DB_LIST_100K_50K_SET)
    with pytest.raises(StatusListError) as info:
        check_bitstring_entry(bitstring_entry(list_url=LIST_URL, index=50_000), slc)
    assert info.value.code == "status.list_length"
    # An ecosystem may set a lower bound; then the vector's bit is found.
    result = check_bitstring_entry(
        bitstring_entry(list_url=LIST_URL, index=50_000), slc, min_entries=100_000
    )
    assert result.revoked


def test_index_beyond_the_list_is_a_range_error():
    slc = status_list_credential(SPEC_EXAMPLE_LIST)
    with pytest.raises(StatusListError) as info:
        check_bitstring_entry(bitstring_entry(list_url=LIST_URL, index=MIN_ENTRIES), slc)
    assert info.value.code == "status.range"


def test_message_purpose_with_status_messages():
    bits = bitstring_new(status_size=2)
    bitstring_put(bits, 492847 % MIN_ENTRIES, 2, status_size=2)
    slc = status_list_credential(bitstring_encode(bits), purpose="message")
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": str(492847 % MIN_ENTRIES),
        "statusSize": 2,
        "statusListCredential": LIST_URL,
        "statusMessage": [
            {"status": "0x0", "message": "pending_review"},
            {"status": "0x1", "message": "accepted"},
            {"status": "0x2", "message": "rejected"},
            {"status": "0x3", "message": "undefined"},
        ],
    }
    result = check_bitstring_entry(entry, slc)
    assert result.value == 2
    assert result.message == "rejected"
    assert not result.revoked


@pytest.mark.parametrize(
    "change",
    [
        {"type": ["VerifiableCredential"]},
        {"credentialSubject": "nope"},
        {"credentialSubject": {"type": "Other", "statusPurpose": "revocation"}},
    ],
)
def test_malformed_status_list_credentials(change):
    slc = {**status_list_credential(SPEC_EXAMPLE_LIST), **change}
    with pytest.raises(StatusListError):
        check_bitstring_entry(bitstring_entry(list_url=LIST_URL, index=1), slc)


def test_status_list_credential_shape():
    slc = status_list_credential(SPEC_EXAMPLE_LIST)
    assert slc["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert slc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert slc["credentialSubject"] == {
        "id": f"{LIST_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": SPEC_EXAMPLE_LIST,
    }


# -- 1EdTech revocation list ---------------------------------------------------------------------


def test_onedtech_revocation_list_rules():
    document = {
        "id": "https://badges.example.eu/issuers/acme/revocations",
        "issuer": "https://badges.example.eu/issuers/acme",
        "revokedCredentials": [
            {"id": "urn:uuid:a", "revoked": True, "revocationReason": "Issued in error"},
            {"id": "urn:uuid:b"},
            {"id": "urn:uuid:c", "revoked": False},
        ],
    }
    a = check_revocation_list(document, "urn:uuid:a")
    assert a.revoked and a.message == "Issued in error"
    assert check_revocation_list(document, "urn:uuid:b").revoked
    assert not check_revocation_list(document, "urn:uuid:c").revoked
    assert not check_revocation_list(document, "urn:uuid:d").revoked


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"id": "x"},
        {"revokedCredentials": [5]},
        {"revokedCredentials": [{"id": "urn:uuid:a", "revoked": "yes"}]},
    ],
)
def test_malformed_onedtech_revocation_lists(document):
    with pytest.raises(StatusListError):
        check_revocation_list(document, "urn:uuid:a")


def test_onedtech_revocation_list_document_is_sorted_and_round_trips():
    document = revocation_list_document(
        id="https://x.test/rl",
        issuer="https://x.test/issuer",
        revoked=[("urn:uuid:b", None), ("urn:uuid:a", "Fraud")],
    )
    assert document["revokedCredentials"] == [
        {"id": "urn:uuid:a", "revoked": True, "revocationReason": "Fraud"},
        {"id": "urn:uuid:b", "revoked": True},
    ]
    assert check_revocation_list(document, "urn:uuid:a").message == "Fraud"


# -- OB 2.0 revocation list ----------------------------------------------------------------------


def test_ob2_revocation_list():
    document = ob2_revocation_list_document(
        id="https://x.test/ob2/revocations",
        issuer="https://x.test/ob2/issuer",
        revoked=[("https://x.test/a/2", "Cheated"), ("https://x.test/a/1", None)],
    )
    assert document["revokedAssertions"] == [
        "https://x.test/a/1",
        {"id": "https://x.test/a/2", "revocationReason": "Cheated"},
    ]
    assert check_ob2_revocation_list(document, "https://x.test/a/1").revoked
    result = check_ob2_revocation_list(document, "https://x.test/a/2")
    assert result.revoked and result.message == "Cheated"
    assert not check_ob2_revocation_list(document, "https://x.test/a/3").revoked


def test_ob2_revocation_list_needs_its_type():
    with pytest.raises(StatusListError):
        check_ob2_revocation_list({"revokedAssertions": []}, "x")


def test_status_entries_normalises_to_a_list():
    assert status_entries({}) == []
    entry = {"id": "x", "type": "1EdTechRevocationList"}
    assert status_entries({"credentialStatus": entry}) == [entry]
    assert status_entries({"credentialStatus": [entry, entry]}) == [entry, entry]
    with pytest.raises(StatusListError):
        status_entries({"credentialStatus": "x"})
