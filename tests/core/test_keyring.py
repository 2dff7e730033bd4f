"""Key files on disk and which keys each face may hold (portal.core.keyring)."""

import stat
from pathlib import Path

import pytest

from portal.core import crypto
from portal.core.keyring import (
    KeyRing,
    MissingKeyError,
    add_intake_key_pair,
    add_internal_key,
    ensure_development_keys,
    retire_keys_before,
)

ALL_CREATED = [
    "intake key pair",
    "internal key",
    "blind index key",
    "audit key",
    "audit checkpoint key",
]
DEVELOPMENT_FILES = {
    "intake/0001.public",
    "intake/0001.private",
    "internal/0001.key",
    "blind-index.key",
    "audit.key",
    "audit-checkpoint.key",
}


def files_in(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "instance" / "keys"
    assert ensure_development_keys(directory) == ALL_CREATED
    return directory


# --- development keys -------------------------------------------------------------------


def test_development_keys_are_created_once(keys_dir: Path) -> None:
    assert set(files_in(keys_dir)) == DEVELOPMENT_FILES


def test_ensure_development_keys_is_idempotent(keys_dir: Path) -> None:
    before = files_in(keys_dir)
    assert ensure_development_keys(keys_dir) == []
    assert ensure_development_keys(keys_dir) == []
    assert files_in(keys_dir) == before


@pytest.mark.parametrize(
    ("removed", "recreated"),
    [
        (["audit.key"], ["audit key"]),
        (["audit-checkpoint.key"], ["audit checkpoint key"]),
        (["blind-index.key"], ["blind index key"]),
        (["internal/0001.key"], ["internal key"]),
        (["intake/0001.public", "intake/0001.private"], ["intake key pair"]),
    ],
)
def test_ensure_development_keys_recreates_only_what_is_missing(
    keys_dir: Path, removed: list[str], recreated: list[str]
) -> None:
    before = files_in(keys_dir)
    for name in removed:
        (keys_dir / name).unlink()
    assert ensure_development_keys(keys_dir) == recreated
    after = files_in(keys_dir)
    assert set(after) == DEVELOPMENT_FILES
    for name in DEVELOPMENT_FILES - set(removed):
        assert after[name] == before[name], f"{name} was rewritten"
    for name in removed:
        assert after[name] != before[name], f"{name} was not regenerated"


def test_key_files_are_readable_by_owner_only(keys_dir: Path) -> None:
    add_intake_key_pair(keys_dir)
    add_internal_key(keys_dir)
    files = [path for path in keys_dir.rglob("*") if path.is_file()]
    assert len(files) == len(DEVELOPMENT_FILES) + 3
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_key_subdirectories_are_private(keys_dir: Path) -> None:
    for sub in ("intake", "internal"):
        assert stat.S_IMODE((keys_dir / sub).stat().st_mode) == 0o700


def test_development_keys_have_the_right_sizes_and_match(keys_dir: Path) -> None:
    ring = KeyRing.load(keys_dir, internal=True)
    private, public = ring.intake_private[1], ring.intake_public[1]
    assert len(private) == len(public) == 32
    assert crypto.intake_public_key_of(private) == public
    assert len(ring.internal[1]) == 32
    assert ring.blind_index_master is not None and len(ring.blind_index_master) == 32
    assert len(ring.audit_key()) == 32
    checkpoint = ring.audit_checkpoint_key()
    assert len(checkpoint) == len(ring.audit_checkpoint_public_key()) == 32
    distinct = {
        private,
        public,
        ring.internal[1],
        ring.blind_index_master,
        ring.audit_key(),
        checkpoint,
    }
    assert len(distinct) == 6


# --- what each face holds --------------------------------------------------------------


def test_public_face_holds_no_private_internal_or_blind_index_key(keys_dir: Path) -> None:
    ring = KeyRing.load(keys_dir, internal=False)

    assert ring.intake_private == {}
    assert ring.internal == {}
    assert ring.blind_index_master is None
    with pytest.raises(MissingKeyError):
        ring.intake_private_key(1)
    with pytest.raises(MissingKeyError):
        ring.current_internal()
    with pytest.raises(MissingKeyError):
        ring.internal_key(1)
    with pytest.raises(MissingKeyError):
        ring.blind_index_key("document_number")
    with pytest.raises(MissingKeyError):  # the public face writes no audit checkpoints
        ring.audit_checkpoint_key()

    # What it does need: seal new cases to the intake key and write audit events.
    assert ring.current_intake_public()[0] == 1
    assert len(ring.audit_key()) == 32
    assert ring.missing(internal=False) == []


def test_public_face_ring_cannot_open_what_it_seals(keys_dir: Path) -> None:
    public_ring = KeyRing.load(keys_dir, internal=False)
    internal_ring = KeyRing.load(keys_dir, internal=True)
    data_key = crypto.new_data_key()
    version, public = public_ring.current_intake_public()
    sealed = crypto.seal_to_public_key(data_key, public, context=b"ctx")

    private_values = {*internal_ring.intake_private.values(), *internal_ring.internal.values()}
    assert not private_values & set(public_ring.intake_public.values())
    private = internal_ring.intake_private_key(version)
    assert crypto.unseal_with_private_key(sealed, private, context=b"ctx") == data_key


def test_internal_face_holds_every_key(keys_dir: Path) -> None:
    ring = KeyRing.load(keys_dir, internal=True)
    assert ring.missing(internal=True) == []
    assert ring.current_intake_public()[0] == 1
    assert len(ring.intake_private_key(1)) == 32
    assert ring.current_internal() == (1, ring.internal_key(1))
    document = ring.blind_index_key("document_number")
    assert len(document) == 32
    assert document != ring.blind_index_key("phone")
    assert document == KeyRing.load(keys_dir, internal=True).blind_index_key("document_number")


def test_unknown_versions_raise_missing_key_error(keys_dir: Path) -> None:
    ring = KeyRing.load(keys_dir, internal=True)
    with pytest.raises(MissingKeyError):
        ring.intake_private_key(2)
    with pytest.raises(MissingKeyError):
        ring.internal_key(0)


def test_repr_shows_no_secret_key(keys_dir: Path) -> None:
    ring = KeyRing.load(keys_dir, internal=True)
    text = repr(ring)
    secrets = [
        ring.intake_private[1],
        ring.internal[1],
        ring.blind_index_master,
        ring.audit,
        ring.audit_checkpoint,
    ]
    for secret in secrets:
        assert secret is not None
        assert repr(secret) not in text
        assert secret.hex() not in text


def test_empty_directory_names_every_missing_key(tmp_path: Path) -> None:
    ring = KeyRing.load(tmp_path / "nowhere", internal=True)
    assert ring.missing(internal=False) == ["intake public key", "audit key"]
    assert ring.missing(internal=True) == [
        "intake public key",
        "audit key",
        "intake private key",
        "internal key",
        "blind index key",
        "audit checkpoint key",
    ]
    with pytest.raises(MissingKeyError):
        ring.current_intake_public()
    with pytest.raises(MissingKeyError):
        ring.audit_key()


@pytest.mark.parametrize(
    ("removed", "internal", "expected"),
    [
        ("audit.key", False, ["audit key"]),
        ("blind-index.key", True, ["blind index key"]),
        ("blind-index.key", False, []),
        ("audit-checkpoint.key", True, ["audit checkpoint key"]),
        ("audit-checkpoint.key", False, []),
        ("internal/0001.key", True, ["internal key"]),
        ("intake/0001.private", True, ["intake private key"]),
        ("intake/0001.private", False, []),
        ("intake/0001.public", False, ["intake public key"]),
    ],
)
def test_missing_names_exactly_what_a_face_lacks(
    keys_dir: Path, removed: str, internal: bool, expected: list[str]
) -> None:
    (keys_dir / removed).unlink()
    assert KeyRing.load(keys_dir, internal=internal).missing(internal=internal) == expected


def test_stray_files_in_key_folders_are_ignored(keys_dir: Path) -> None:
    (keys_dir / "intake" / "backup.public").write_text("not a key\n")
    (keys_dir / "intake" / "0009.public.bak").write_text("not a key\n")
    (keys_dir / "internal" / "README").write_text("hello\n")
    ring = KeyRing.load(keys_dir, internal=True)
    assert set(ring.intake_public) == {1}
    assert set(ring.internal) == {1}


# --- rotation ---------------------------------------------------------------------------


def test_adding_intake_key_pairs_bumps_the_version(keys_dir: Path) -> None:
    assert add_intake_key_pair(keys_dir) == 2
    assert add_intake_key_pair(keys_dir) == 3
    ring = KeyRing.load(keys_dir, internal=True)

    version, public = ring.current_intake_public()
    assert version == 3
    assert public == ring.intake_public[3]
    assert len(set(ring.intake_public.values())) == 3
    for v in (1, 2, 3):
        assert crypto.intake_public_key_of(ring.intake_private_key(v)) == ring.intake_public[v]
    assert (keys_dir / "intake" / "0003.private").is_file()


def test_adding_internal_keys_bumps_the_version(keys_dir: Path) -> None:
    assert add_internal_key(keys_dir) == 2
    assert add_internal_key(keys_dir) == 3
    ring = KeyRing.load(keys_dir, internal=True)
    assert ring.current_internal() == (3, ring.internal_key(3))
    assert len({ring.internal_key(v) for v in (1, 2, 3)}) == 3


def test_adding_keys_leaves_existing_ones_unchanged(keys_dir: Path) -> None:
    before = files_in(keys_dir)
    add_intake_key_pair(keys_dir)
    add_internal_key(keys_dir)
    after = files_in(keys_dir)
    assert {name: after[name] for name in before} == before


def test_newest_version_is_chosen_numerically(keys_dir: Path) -> None:
    """Past 9999 the file names stop sorting like the numbers they hold."""
    (keys_dir / "internal" / "0001.key").rename(keys_dir / "internal" / "9999.key")
    assert add_internal_key(keys_dir) == 10000
    assert (keys_dir / "internal" / "10000.key").is_file()
    ring = KeyRing.load(keys_dir, internal=True)
    assert ring.current_internal()[0] == 10000


def test_first_keys_in_an_empty_directory_are_version_one(tmp_path: Path) -> None:
    assert add_intake_key_pair(tmp_path / "keys") == 1
    assert add_internal_key(tmp_path / "keys") == 1


def test_retiring_intake_keys_deletes_only_older_files(keys_dir: Path) -> None:
    add_intake_key_pair(keys_dir)
    add_intake_key_pair(keys_dir)
    add_internal_key(keys_dir)
    before = files_in(keys_dir)

    removed = retire_keys_before(keys_dir, "intake", 3)

    intake = keys_dir / "intake"
    assert sorted(removed) == sorted(
        intake / name for name in ("0001.public", "0001.private", "0002.public", "0002.private")
    )
    after = files_in(keys_dir)
    assert set(after) == set(before) - {str(path.relative_to(keys_dir)) for path in removed}
    assert after["intake/0003.public"] == before["intake/0003.public"]
    ring = KeyRing.load(keys_dir, internal=True)
    assert set(ring.intake_public) == set(ring.intake_private) == {3}
    assert set(ring.internal) == {1, 2}


def test_retiring_internal_keys_deletes_only_older_files(keys_dir: Path) -> None:
    add_internal_key(keys_dir)
    add_internal_key(keys_dir)
    add_intake_key_pair(keys_dir)

    removed = retire_keys_before(keys_dir, "internal", 2)

    assert removed == [keys_dir / "internal" / "0001.key"]
    ring = KeyRing.load(keys_dir, internal=True)
    assert set(ring.internal) == {2, 3}
    assert set(ring.intake_public) == {1, 2}
    assert ring.blind_index_master is not None and ring.audit is not None


def test_retiring_before_the_oldest_version_deletes_nothing(keys_dir: Path) -> None:
    before = files_in(keys_dir)
    assert retire_keys_before(keys_dir, "intake", 1) == []
    assert retire_keys_before(keys_dir, "internal", 1) == []
    assert files_in(keys_dir) == before


def test_retiring_an_unknown_kind_is_refused(keys_dir: Path) -> None:
    with pytest.raises(KeyError):
        retire_keys_before(keys_dir, "audit", 5)
    assert (keys_dir / "audit.key").is_file()


# --- loaded intake keys, kept per version ------------------------------------------------


def _sealed_to(ring: KeyRing, version: int, data_key: bytes) -> bytes:
    return crypto.seal_to_public_key(data_key, ring.intake_public[version], context=b"ctx")


def test_a_loaded_intake_key_is_kept_per_version(keys_dir: Path) -> None:
    add_intake_key_pair(keys_dir)
    ring = KeyRing.load(keys_dir, internal=True)
    first, second = ring.intake_unsealer(1), ring.intake_unsealer(2)
    assert ring.intake_unsealer(1) is first and first is not second
    data_key = crypto.new_data_key()
    assert second.unseal(_sealed_to(ring, 2, data_key), context=b"ctx") == data_key
    with pytest.raises(crypto.DecryptionError):  # never the other version's key
        first.unseal(_sealed_to(ring, 2, data_key), context=b"ctx")
    assert "key hidden" in repr(first) and ring.intake_private[1].hex() not in repr(ring)


def test_a_new_ring_after_rotation_opens_what_is_sealed_to_the_new_key(keys_dir: Path) -> None:
    before = KeyRing.load(keys_dir, internal=True)
    old = before.intake_unsealer(1)
    add_intake_key_pair(keys_dir)
    after = KeyRing.load(keys_dir, internal=True)  # what `keys rotate` puts in place
    data_key = crypto.new_data_key()
    assert after.intake_unsealer(2).unseal(_sealed_to(after, 2, data_key), context=b"ctx") == (
        data_key
    )
    assert after.intake_unsealer(1) is not old  # nothing is shared between rings
    with pytest.raises(MissingKeyError):
        before.intake_unsealer(2)


def test_a_replaced_key_of_one_version_is_loaded_again(keys_dir: Path) -> None:
    ring = KeyRing.load(keys_dir, internal=True)
    stale = ring.intake_unsealer(1)
    private, public = crypto.generate_intake_key_pair()
    ring.intake_private[1], ring.intake_public[1] = private, public
    data_key = crypto.new_data_key()
    fresh = ring.intake_unsealer(1)
    assert fresh is not stale
    assert fresh.unseal(_sealed_to(ring, 1, data_key), context=b"ctx") == data_key


def test_the_public_face_never_loads_a_private_key(keys_dir: Path) -> None:
    ring = KeyRing.load(keys_dir, internal=False)
    with pytest.raises(MissingKeyError):
        ring.intake_unsealer(1)
    assert ring._unsealers == {}


def test_index_keys_follow_the_master_key(keys_dir: Path) -> None:
    ring = KeyRing.load(keys_dir, internal=True)
    first = ring.blind_index_key("phone")
    assert ring.blind_index_key("phone") == first
    ring.blind_index_master = crypto.new_data_key()
    assert ring.blind_index_key("phone") != first
