"""A TUF repository written with python-tuf's Metadata API, for Ward's client to read.

    python3 python_repo.py REPO_DIR TARGET_PATH FILE

Writes REPO_DIR/metadata (1.root.json, 1.targets.json, 1.snapshot.json, timestamp.json,
consistent snapshots, one Ed25519 key per role) and REPO_DIR/targets/HASH.NAME.
"""

import os
import sys
from datetime import datetime, timedelta, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer


def main() -> int:
    repo, target_path, file = sys.argv[1:4]
    meta_dir = os.path.join(repo, "metadata")
    targets_dir = os.path.join(repo, "targets")
    os.makedirs(meta_dir, exist_ok=True)
    os.makedirs(targets_dir, exist_ok=True)
    expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=7)
    signers = {role: CryptoSigner.generate_ed25519() for role in ("root", "targets", "snapshot", "timestamp")}

    root = Metadata(Root(expires=expires, consistent_snapshot=True))
    for role, signer in signers.items():
        root.signed.add_key(signer.public_key, role)

    target = TargetFile.from_file(target_path, file)
    targets = Metadata(Targets(expires=expires))
    targets.signed.targets[target_path] = target
    with open(file, "rb") as f:
        data = f.read()
    digest = target.hashes["sha256"]
    dirname, sep, base = target_path.rpartition("/")
    out = os.path.join(targets_dir, f"{dirname}{sep}{digest}.{base}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "wb") as f:
        f.write(data)

    snapshot = Metadata(Snapshot(expires=expires))
    snapshot.signed.meta["targets.json"] = MetaFile(version=1)
    timestamp = Metadata(Timestamp(expires=expires))
    serializer = JSONSerializer(compact=False)
    for name, md in (("root", root), ("targets", targets), ("snapshot", snapshot)):
        md.sign(signers[name])
        md.to_file(os.path.join(meta_dir, f"1.{name}.json"), serializer)
    snapshot_bytes = snapshot.to_bytes(serializer)
    timestamp.signed.snapshot_meta = MetaFile(
        version=1, length=len(snapshot_bytes), hashes={"sha256": __import__("hashlib").sha256(snapshot_bytes).hexdigest()}
    )
    timestamp.sign(signers["timestamp"])
    timestamp.to_file(os.path.join(meta_dir, "timestamp.json"), serializer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
