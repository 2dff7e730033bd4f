"""The portal's only home for cryptography.

No other module imports ``cryptography``. Everything here works on bytes and named
constants; what a key protects and where it is stored is decided by the callers
(``portal.cases.custody`` for case keys, ``portal.core.keyring`` for key files).
"""

from portal.core.crypto.aead import (
    DATA_KEY_BYTES,
    DecryptionError,
    FieldCipher,
    field_context,
    new_data_key,
)
from portal.core.crypto.blind import blind_index, derive_purpose_key
from portal.core.crypto.blobs import decrypt_blob_chunks, encrypt_blob
from portal.core.crypto.signing import (
    new_signing_key,
    sign,
    signature_is_valid,
    signing_public_key_of,
)
from portal.core.crypto.wrapping import (
    SCRYPT_DEVELOPMENT,
    SCRYPT_PRODUCTION,
    IntakeUnsealer,
    ScryptCost,
    derive_access_code_key,
    derive_subkey,
    generate_intake_key_pair,
    intake_public_key_of,
    new_salt,
    seal_to_public_key,
    unseal_with_private_key,
    unwrap_key,
    wrap_key,
)

__all__ = [
    "DATA_KEY_BYTES",
    "SCRYPT_DEVELOPMENT",
    "SCRYPT_PRODUCTION",
    "DecryptionError",
    "FieldCipher",
    "IntakeUnsealer",
    "ScryptCost",
    "blind_index",
    "decrypt_blob_chunks",
    "derive_access_code_key",
    "derive_purpose_key",
    "derive_subkey",
    "encrypt_blob",
    "field_context",
    "generate_intake_key_pair",
    "intake_public_key_of",
    "new_data_key",
    "new_salt",
    "new_signing_key",
    "seal_to_public_key",
    "sign",
    "signature_is_valid",
    "signing_public_key_of",
    "unseal_with_private_key",
    "unwrap_key",
    "wrap_key",
]
