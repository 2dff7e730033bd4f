"""Key directories for a production deployment: the internal face's whole set, and the
public face's share of it, which holds no private key.

    python -m deploy.keys create INTERNAL_DIR PUBLIC_DIR
    python -m deploy.keys public INTERNAL_DIR PUBLIC_DIR

``create`` writes every key the internal face needs into INTERNAL_DIR (keys that exist
are kept, never replaced) and then does what ``public`` does: copies the intake public
keys and the audit key into PUBLIC_DIR. Run ``public`` again after ``flask keys rotate
intake``, so that new cases are sealed to the new key. Production never generates keys
on its own (``PORTAL_ENV=production`` refuses to start without them); this is how an
operator makes them, on the internal host, as the user that will own them.
"""

import argparse
import shutil
import sys
from pathlib import Path

from portal.core.keyring import AUDIT_FILE, INTAKE_DIR, KeyRing, ensure_development_keys


def copy_public_share(internal: Path, public: Path) -> list[Path]:
    """Copy what the public face may hold; return the files copied. Never a private key."""
    sources = sorted((internal / INTAKE_DIR).glob("*.public")) + [internal / AUDIT_FILE]
    copied = []
    for source in sources:
        target = public / source.relative_to(internal)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not target.exists():
            shutil.copyfile(source, target)
            target.chmod(0o600)
            copied.append(target)
    public.chmod(0o700)
    return copied


def check_public_share(public: Path) -> None:
    """Refuse a public directory that holds anything the public face must not have."""
    forbidden = [p for p in public.rglob("*") if p.is_file() and p.suffix not in (".public",)]
    forbidden = [p for p in forbidden if p.name != AUDIT_FILE]
    if forbidden:
        names = ", ".join(str(p) for p in forbidden)
        raise SystemExit(f"{public} holds keys the public face must not hold: {names}")
    ring = KeyRing.load(public, internal=True)  # as if it were internal: finds no private key
    if ring.intake_private or ring.internal or ring.blind_index_master or ring.audit_checkpoint:
        raise SystemExit(f"{public} holds a private key")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.keys", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("action", choices=["create", "public"])
    parser.add_argument("internal", type=Path, help="the internal face's key directory")
    parser.add_argument("public", type=Path, help="the public face's key directory")
    arguments = parser.parse_args(argv)
    if arguments.action == "create":
        for name in ensure_development_keys(arguments.internal):
            print(f"created {name} in {arguments.internal}")
    elif not (arguments.internal / INTAKE_DIR).is_dir():
        raise SystemExit(f"{arguments.internal} holds no intake keys: run 'create' first")
    for path in copy_public_share(arguments.internal, arguments.public):
        print(f"copied {path}")
    check_public_share(arguments.public)
    missing = KeyRing.load(arguments.public, internal=False).missing(internal=False)
    if missing:
        raise SystemExit(f"{arguments.public} lacks: {', '.join(missing)}")
    print(f"{arguments.public}: the public face's keys, no private key")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
