"""Attacker: another account on the server (or a backup job) reading files it was not meant
to: every file the app writes is owner-only, whatever the umask it was started with."""

import os
import stat
import subprocess

from tests.servers import BIN, ROOT, app_env


def modes(folder):
    found = {}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.stat().st_mode)
    return found


def run_with_loose_umask(args, env):
    subprocess.run(  # noqa: S603
        [str(BIN / "flask"), "--app", "wellness", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(0o022),  # noqa: PLW1509  the loose default of many systems
        timeout=120,
    )


def test_init_demo_and_backup_leave_only_owner_only_files(tmp_path):
    instance = tmp_path / "instance"
    env = app_env(instance, f"sqlite:///{instance / 'wellness.db'}")
    run_with_loose_umask(["init"], env)
    run_with_loose_umask(["demo"], env)
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("a long enough backup passphrase")
    backup, key_backup = tmp_path / "db.bak", tmp_path / "keys.bak"
    run_with_loose_umask(
        [
            "backup",
            str(backup),
            "--keys-file",
            str(key_backup),
            "--passphrase-file",
            str(passphrase),
        ],
        env,
    )
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    found = modes(instance)
    assert {"wellness.db", "secret_key", "keys/signing.key", "audit-checkpoints.log"} <= set(found)
    loose = {name: oct(mode) for name, mode in found.items() if mode not in (0o600, 0o700)}
    assert loose == {}
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_backup.stat().st_mode) == 0o600


def test_starting_the_app_tightens_a_folder_someone_loosened(tmp_path):
    from tests.conftest import make_app

    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "wellness.db").write_bytes(b"")
    (instance / "wellness.db").chmod(0o644)
    make_app(tmp_path, f"sqlite:///{instance / 'wellness.db'}")
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "wellness.db").stat().st_mode) == 0o600
