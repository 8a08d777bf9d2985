"""python-tuf's client (the reference implementation) against a Ward repository.

    python3 python_client.py METADATA_URL TARGETS_URL TRUSTED_ROOT WORK_DIR TARGET_PATH

Refreshes with tuf.ngclient.Updater, downloads TARGET_PATH, prints its SHA-256.
"""

import hashlib
import os
import shutil
import sys

from tuf.ngclient import Updater


def main() -> int:
    metadata_url, targets_url, root, work, target = sys.argv[1:6]
    metadata_dir = os.path.join(work, "metadata")
    target_dir = os.path.join(work, "targets")
    os.makedirs(metadata_dir, exist_ok=True)
    os.makedirs(target_dir, exist_ok=True)
    shutil.copyfile(root, os.path.join(metadata_dir, "root.json"))
    updater = Updater(metadata_dir, metadata_url, target_dir, targets_url, bootstrap=None)
    updater.refresh()
    info = updater.get_targetinfo(target)
    if info is None:
        print(f"{target} not found", file=sys.stderr)
        return 1
    path = updater.download_target(info)
    with open(path, "rb") as f:
        print(hashlib.sha256(f.read()).hexdigest())
    print(f"custom={info.custom}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
