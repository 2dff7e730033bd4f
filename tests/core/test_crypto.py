"""Field encryption, key sealing and wrapping, access-code keys and blind indexes.

Pure functions on bytes: no app, no database. Every failure a caller can meet is expected
as ``DecryptionError`` (never a stray ``ValueError`` or ``InvalidTag``), because callers
catch exactly that to turn a wrong code or a moved ciphertext into a refusal.
"""

import hashlib
import hmac
import uuid
from collections.abc import Callable

import pytest

from portal.core import crypto
from portal.core.crypto import DecryptionError, FieldCipher, field_context

ROW = uuid.UUID("6f1c1d3e-2b4a-4c5d-9e8f-0123456789ab")
OTHER_ROW = uuid.UUID("6f1c1d3e-2b4a-4c5d-9e8f-0123456789ac")
CONTEXT = field_context("people", "given_names", ROW)
NONCE_BYTES = 12
TAG_BYTES = 16


def flip(data: bytes, index: int, mask: int = 0x01) -> bytes:
    """``data`` with the bits in ``mask`` flipped at ``index`` (negative counts from the end)."""
    changed = bytearray(data)
    changed[index] ^= mask
    return bytes(changed)


@pytest.fixture
def key() -> bytes:
    return crypto.new_data_key()


@pytest.fixture
def cipher(key: bytes) -> FieldCipher:
    return FieldCipher(key)


# --- data keys and FieldCipher ----------------------------------------------------------


def test_new_data_keys_are_32_random_bytes() -> None:
    keys = {crypto.new_data_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(k) == crypto.DATA_KEY_BYTES == 32 for k in keys)


@pytest.mark.parametrize("length", [0, 16, 24, 31, 33, 64])
def test_field_cipher_refuses_keys_that_are_not_32_bytes(length: int) -> None:
    with pytest.raises(ValueError):
        FieldCipher(b"k" * length)


def test_field_cipher_repr_hides_the_key(key: bytes) -> None:
    text = repr(FieldCipher(key))
    assert "hidden" in text
    assert key.hex() not in text
    assert repr(key) not in text


@pytest.mark.parametrize(
    "plaintext",
    [
        b"",
        b"Ahmad",
        "محمد کریمی".encode(),
        "Zoë Ünal".encode(),
        bytes(range(256)),
        b"x" * 100_000,
    ],
    ids=["empty", "ascii", "persian", "accents", "all-bytes", "100kB"],
)
def test_field_round_trip(cipher: FieldCipher, plaintext: bytes) -> None:
    token = cipher.encrypt(plaintext, context=CONTEXT)
    assert plaintext not in token or plaintext == b""
    assert cipher.decrypt(token, context=CONTEXT) == plaintext


def test_field_token_layout_is_version_nonce_body_tag(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"12345", context=CONTEXT)
    assert token[:1] == b"\x01"
    assert len(token) == 1 + NONCE_BYTES + 5 + TAG_BYTES


def test_field_encryption_is_randomised(cipher: FieldCipher) -> None:
    """Equal values must not give equal ciphertexts (that would leak equality)."""
    tokens = {cipher.encrypt(b"same name", context=CONTEXT) for _ in range(10)}
    assert len(tokens) == 10
    assert len({token[1 : 1 + NONCE_BYTES] for token in tokens}) == 10


def test_a_new_cipher_with_the_same_key_decrypts(key: bytes) -> None:
    token = FieldCipher(key).encrypt(b"value", context=CONTEXT)
    assert FieldCipher(bytes(key)).decrypt(token, context=CONTEXT) == b"value"


@pytest.mark.parametrize(
    "elsewhere",
    [
        field_context("people", "given_names", OTHER_ROW),
        field_context("people", "family_name", ROW),
        field_context("contacts", "given_names", ROW),
        field_context("people", "given_names", uuid.UUID(int=0)),
        CONTEXT + b" ",
        CONTEXT[:-1],
        b"",
    ],
    ids=["other-row", "other-column", "other-table", "nil-row", "appended", "cut", "empty"],
)
def test_ciphertext_moved_to_another_place_does_not_decrypt(
    cipher: FieldCipher, elsewhere: bytes
) -> None:
    token = cipher.encrypt(b"Ahmad", context=CONTEXT)
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, context=elsewhere)


def test_field_context_names_table_column_and_row() -> None:
    assert field_context("people", "given_names", ROW) == (
        b"field|people|given_names|6f1c1d3e-2b4a-4c5d-9e8f-0123456789ab"
    )


def test_ciphertext_under_another_key_does_not_decrypt(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"Ahmad", context=CONTEXT)
    with pytest.raises(DecryptionError):
        FieldCipher(crypto.new_data_key()).decrypt(token, context=CONTEXT)


# Regions of "version(1) || nonce(12) || body(7) || tag(16)" for a 7-byte plaintext.
FIELD_REGIONS = {
    "version": [0],
    "nonce": [1, 6, 12],
    "body": [13, 16, 19],
    "tag": [20, 27, 35],
}


@pytest.mark.parametrize(
    "index",
    [i for indexes in FIELD_REGIONS.values() for i in indexes],
    ids=[f"{region}-{i}" for region, indexes in FIELD_REGIONS.items() for i in indexes],
)
@pytest.mark.parametrize("mask", [0x01, 0x80])
def test_any_flipped_bit_is_detected(cipher: FieldCipher, index: int, mask: int) -> None:
    token = cipher.encrypt(b"Karimi!", context=CONTEXT)
    assert len(token) == 36
    with pytest.raises(DecryptionError):
        cipher.decrypt(flip(token, index, mask), context=CONTEXT)


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: b"",
        lambda t: t[:1],
        lambda t: t[: 1 + NONCE_BYTES + TAG_BYTES - 1],
        lambda t: t[:-1],
        lambda t: t + b"\x00",
        lambda t: b"\x02" + t[1:],
        lambda t: t[1:],
    ],
    ids=["empty", "version-only", "too-short", "cut-tag", "appended", "version-2", "no-version"],
)
def test_truncated_or_extended_tokens_raise_decryption_error(
    cipher: FieldCipher, damage: Callable[[bytes], bytes]
) -> None:
    token = cipher.encrypt(b"Karimi", context=CONTEXT)
    with pytest.raises(DecryptionError):
        cipher.decrypt(damage(token), context=CONTEXT)


# --- sealing to the intake key pair ---------------------------------------------------

SEAL_CONTEXT = b"keywrap|case|intake|" + str(ROW).encode()


@pytest.fixture(scope="module")
def intake_pair() -> tuple[bytes, bytes]:
    return crypto.generate_intake_key_pair()


def test_intake_key_pair_is_raw_x25519(intake_pair: tuple[bytes, bytes]) -> None:
    private, public = intake_pair
    assert len(private) == len(public) == 32
    assert private != public
    assert crypto.intake_public_key_of(private) == public


def test_generated_intake_key_pairs_differ() -> None:
    assert crypto.generate_intake_key_pair() != crypto.generate_intake_key_pair()


def test_seal_round_trip(intake_pair: tuple[bytes, bytes], key: bytes) -> None:
    private, public = intake_pair
    sealed = crypto.seal_to_public_key(key, public, context=SEAL_CONTEXT)
    assert key not in sealed
    assert len(sealed) == 32 + NONCE_BYTES + 32 + TAG_BYTES
    assert crypto.unseal_with_private_key(sealed, private, context=SEAL_CONTEXT) == key


def test_sealing_uses_a_fresh_ephemeral_key_each_time(
    intake_pair: tuple[bytes, bytes], key: bytes
) -> None:
    _, public = intake_pair
    first = crypto.seal_to_public_key(key, public, context=SEAL_CONTEXT)
    second = crypto.seal_to_public_key(key, public, context=SEAL_CONTEXT)
    assert first[:32] != second[:32]
    assert first != second


def test_sealed_key_does_not_open_with_another_private_key(
    intake_pair: tuple[bytes, bytes], key: bytes
) -> None:
    _, public = intake_pair
    other_private, _ = crypto.generate_intake_key_pair()
    sealed = crypto.seal_to_public_key(key, public, context=SEAL_CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.unseal_with_private_key(sealed, other_private, context=SEAL_CONTEXT)


@pytest.mark.parametrize(
    "other_context",
    [
        b"keywrap|case|intake|" + str(OTHER_ROW).encode(),
        b"keywrap|staff|intake|" + str(ROW).encode(),
        b"",
    ],
    ids=["other-case", "other-scope", "empty"],
)
def test_sealed_key_does_not_open_in_another_context(
    intake_pair: tuple[bytes, bytes], key: bytes, other_context: bytes
) -> None:
    private, public = intake_pair
    sealed = crypto.seal_to_public_key(key, public, context=SEAL_CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.unseal_with_private_key(sealed, private, context=other_context)


# Regions of "ephemeral public(32) || nonce(12) || body(32) || tag(16)".
SEAL_REGIONS = {
    "ephemeral": [(0, 0x01), (15, 0x10), (31, 0x01), (31, 0x80)],
    "nonce": [(32, 0x01), (43, 0x80)],
    "body": [(44, 0x01), (75, 0x80)],
    "tag": [(76, 0x01), (91, 0x80)],
}


@pytest.mark.parametrize(
    ("index", "mask"),
    [pair for pairs in SEAL_REGIONS.values() for pair in pairs],
    ids=[f"{region}-{i}-{m:#x}" for region, pairs in SEAL_REGIONS.items() for i, m in pairs],
)
def test_tampered_sealed_key_is_refused(
    intake_pair: tuple[bytes, bytes], key: bytes, index: int, mask: int
) -> None:
    """Includes bit 255 of the ephemeral key, which X25519 itself ignores: the HKDF salt
    binds the exact bytes, so even that flip must be caught."""
    private, public = intake_pair
    sealed = crypto.seal_to_public_key(key, public, context=SEAL_CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.unseal_with_private_key(flip(sealed, index, mask), private, context=SEAL_CONTEXT)


@pytest.mark.parametrize(
    "damaged",
    [b"", b"\x00" * 32, b"\x00" * 92, b"\x01" * 40],
    ids=["empty", "zero-point-only", "zero-point-full", "short"],
)
def test_malformed_sealed_keys_raise_decryption_error(
    intake_pair: tuple[bytes, bytes], damaged: bytes
) -> None:
    private, _ = intake_pair
    with pytest.raises(DecryptionError):
        crypto.unseal_with_private_key(damaged, private, context=SEAL_CONTEXT)


def test_sealed_key_cut_or_extended_is_refused(
    intake_pair: tuple[bytes, bytes], key: bytes
) -> None:
    private, public = intake_pair
    sealed = crypto.seal_to_public_key(key, public, context=SEAL_CONTEXT)
    for damaged in (sealed[:-1], sealed + b"\x00", sealed[:44]):
        with pytest.raises(DecryptionError):
            crypto.unseal_with_private_key(damaged, private, context=SEAL_CONTEXT)


# --- wrapping under a key-encryption key ------------------------------------------------

WRAP_CONTEXT = b"keywrap|case|access_code|" + str(ROW).encode()


def test_wrap_round_trip(key: bytes) -> None:
    kek = crypto.new_data_key()
    wrapped = crypto.wrap_key(key, kek, context=WRAP_CONTEXT)
    assert key not in wrapped
    assert len(wrapped) == NONCE_BYTES + 32 + TAG_BYTES
    assert crypto.unwrap_key(wrapped, kek, context=WRAP_CONTEXT) == key


def test_wrapping_is_randomised(key: bytes) -> None:
    kek = crypto.new_data_key()
    assert crypto.wrap_key(key, kek, context=WRAP_CONTEXT) != crypto.wrap_key(
        key, kek, context=WRAP_CONTEXT
    )


def test_wrapped_key_does_not_open_with_another_kek(key: bytes) -> None:
    wrapped = crypto.wrap_key(key, crypto.new_data_key(), context=WRAP_CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.unwrap_key(wrapped, crypto.new_data_key(), context=WRAP_CONTEXT)


def test_wrapped_key_does_not_open_in_another_context(key: bytes) -> None:
    kek = crypto.new_data_key()
    wrapped = crypto.wrap_key(key, kek, context=WRAP_CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.unwrap_key(wrapped, kek, context=WRAP_CONTEXT.replace(b"case", b"staff"))


@pytest.mark.parametrize(
    "index",
    [0, 11, 12, 43, 44, 59],
    ids=["nonce", "nonce-end", "body", "body-end", "tag", "tag-end"],
)
def test_tampered_wrapped_key_is_refused(key: bytes, index: int) -> None:
    kek = crypto.new_data_key()
    wrapped = crypto.wrap_key(key, kek, context=WRAP_CONTEXT)
    with pytest.raises(DecryptionError):
        crypto.unwrap_key(flip(wrapped, index), kek, context=WRAP_CONTEXT)


@pytest.mark.parametrize("length", [0, 1, 7, 8, 11, 12, 27, 59, 61])
def test_wrapped_key_of_wrong_length_raises_decryption_error(key: bytes, length: int) -> None:
    """A truncated or empty stored value is refused like a wrong code, not a crash."""
    kek = crypto.new_data_key()
    wrapped = crypto.wrap_key(key, kek, context=WRAP_CONTEXT)
    damaged = (wrapped + b"\x00")[:length]
    with pytest.raises(DecryptionError):
        crypto.unwrap_key(damaged, kek, context=WRAP_CONTEXT)


# --- access-code keys (scrypt) ----------------------------------------------------------

CODE = "7K3MQ9XZP2D4RT8V"


def test_access_code_key_is_deterministic_for_code_salt_and_cost() -> None:
    salt = crypto.new_salt()
    first = crypto.derive_access_code_key(CODE, salt, crypto.SCRYPT_DEVELOPMENT)
    assert len(first) == 32
    assert crypto.derive_access_code_key(CODE, bytes(salt), crypto.SCRYPT_DEVELOPMENT) == first


def test_access_code_key_matches_scrypt_reference() -> None:
    """Pinned to hashlib's independent scrypt: stored wraps must stay openable."""
    salt = bytes(range(16))
    cost = crypto.SCRYPT_DEVELOPMENT
    expected = hashlib.scrypt(CODE.encode(), salt=salt, n=cost.n, r=cost.r, p=cost.p, dklen=32)
    assert crypto.derive_access_code_key(CODE, salt, cost) == expected


@pytest.mark.parametrize(
    ("code", "salt", "cost"),
    [
        ("7K3MQ9XZP2D4RT8W", b"s" * 16, crypto.SCRYPT_DEVELOPMENT),
        (CODE, b"t" * 16, crypto.SCRYPT_DEVELOPMENT),
        (CODE, b"s" * 16, crypto.ScryptCost(n=2**11)),
        (CODE, b"s" * 16, crypto.ScryptCost(n=2**10, r=4)),
    ],
    ids=["other-code", "other-salt", "other-n", "other-r"],
)
def test_access_code_key_changes_with_any_input(code: str, salt: bytes, cost: object) -> None:
    base = crypto.derive_access_code_key(CODE, b"s" * 16, crypto.SCRYPT_DEVELOPMENT)
    assert isinstance(cost, crypto.ScryptCost)
    assert crypto.derive_access_code_key(code, salt, cost) != base


def test_new_salts_are_16_random_bytes() -> None:
    salts = {crypto.new_salt() for _ in range(20)}
    assert len(salts) == 20
    assert all(len(salt) == 16 for salt in salts)


def test_production_scrypt_cost_is_accepted_and_stronger_than_development() -> None:
    """The production parameters must fit the backend's memory limit (one ~0.1 s call)."""
    assert crypto.SCRYPT_PRODUCTION.n > crypto.SCRYPT_DEVELOPMENT.n
    salt = b"s" * 16
    production = crypto.derive_access_code_key(CODE, salt, crypto.SCRYPT_PRODUCTION)
    assert len(production) == 32
    assert production != crypto.derive_access_code_key(CODE, salt, crypto.SCRYPT_DEVELOPMENT)


def test_data_key_wrapped_under_access_code_opens_only_with_that_code(key: bytes) -> None:
    salt = crypto.new_salt()
    kek = crypto.derive_access_code_key(CODE, salt, crypto.SCRYPT_DEVELOPMENT)
    wrapped = crypto.wrap_key(key, kek, context=WRAP_CONTEXT)

    again = crypto.derive_access_code_key(CODE, salt, crypto.SCRYPT_DEVELOPMENT)
    assert crypto.unwrap_key(wrapped, again, context=WRAP_CONTEXT) == key

    wrong = crypto.derive_access_code_key("7K3MQ9XZP2D4RT8W", salt, crypto.SCRYPT_DEVELOPMENT)
    with pytest.raises(DecryptionError):
        crypto.unwrap_key(wrapped, wrong, context=WRAP_CONTEXT)


# --- blind indexes ----------------------------------------------------------------------


def _hkdf_sha256(master: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 with an empty salt, written out with hmac as an independent check."""
    prk = hmac.new(b"\x00" * 32, master, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm, counter = okm + block, counter + 1
    return okm[:length]


def test_purpose_key_derivation_is_pinned() -> None:
    """Changing the derivation would silently orphan every stored blind index."""
    master = bytes(range(32))
    expected = _hkdf_sha256(master, b"portal blind index v1|document_number")
    assert crypto.derive_purpose_key(master, "document_number") == expected


def test_purpose_keys_differ_per_purpose_and_master() -> None:
    master = crypto.new_data_key()
    keys = {
        crypto.derive_purpose_key(master, "document_number"),
        crypto.derive_purpose_key(master, "name_birth_year"),
        crypto.derive_purpose_key(master, "phone"),
        crypto.derive_purpose_key(crypto.new_data_key(), "phone"),
    }
    assert len(keys) == 4
    assert master not in keys
    assert crypto.derive_purpose_key(master, "phone") == crypto.derive_purpose_key(
        bytes(master), "phone"
    )


def test_blind_index_is_deterministic_keyed_hmac() -> None:
    purpose_key = crypto.derive_purpose_key(b"m" * 32, "document_number")
    digest = crypto.blind_index(purpose_key, "P0123456")
    assert len(digest) == 32
    assert crypto.blind_index(purpose_key, "P0123456") == digest
    assert digest == hmac.new(purpose_key, b"P0123456", hashlib.sha256).digest()
    assert digest != hashlib.sha256(b"P0123456").digest()


def test_blind_index_differs_per_purpose_key() -> None:
    master = crypto.new_data_key()
    value = "+93700123456"
    assert crypto.blind_index(
        crypto.derive_purpose_key(master, "phone"), value
    ) != crypto.blind_index(crypto.derive_purpose_key(master, "document_number"), value)


def test_blind_index_differs_per_value_and_encodes_utf8() -> None:
    purpose_key = crypto.derive_purpose_key(b"m" * 32, "name_birth_year")
    names = ["احمد کریمی|1990", "احمد کریمی|1991", "احمد کريمی|1990", "ahmad karimi|1990"]
    assert len({crypto.blind_index(purpose_key, name) for name in names}) == 4
