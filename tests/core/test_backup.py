"""core.backup: backup, restore and the restore drill, on PostgreSQL (the test database itself,
restored into a fresh one) and on SQLite files; encryption, the manifest check, the refusal to
overwrite, retention and the monthly drill check."""

import json
import sqlite3
import tarfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from freezegun import freeze_time

from core import backup
from core.backup import BackupError, Database
from core.models import AuditLogEntry, BackupRecord
from notifications.models import Notice

from ..conftest import database_vendor


@pytest.fixture
def media(tmp_path):
    root = tmp_path / "media"
    (root / "documents" / "2026").mkdir(parents=True)
    (root / "documents" / "2026" / "公文.pdf").write_bytes(b"%PDF-1.7 " + b"x" * 5000)
    (root / "petitions" / "a.txt").parent.mkdir(parents=True)
    (root / "petitions" / "a.txt").write_text("陳情內容 ‮RTL", "utf-8")
    return root


def _sqlite_db(path: Path, rows: int = 3) -> Database:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE django_migrations (id integer primary key, app, name)")
        con.execute("INSERT INTO django_migrations (app, name) VALUES ('core', '0001_initial')")
        con.execute("CREATE TABLE things (id integer primary key, name text)")
        con.executemany("INSERT INTO things (name) VALUES (?)", [(f"件{n}",) for n in range(rows)])
    return Database(engine="sqlite", name=str(path))


@pytest.fixture
def superuser(db, make_user):
    return make_user(username="root", is_superuser=True, email="root@example.gov.tw")


# --- SQLite (the embedded default) ------------------------------------------------------------


@pytest.mark.django_db
def test_a_sqlite_backup_restores_into_an_empty_file_with_its_files(tmp_path, media):
    source = _sqlite_db(tmp_path / "portal.sqlite3", rows=5)
    folder = backup.create_backup(
        output=tmp_path / "backups", database=source, media_root=media, passphrase=""
    )
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["engine"] == "sqlite"
    assert manifest["tables"] == {"django_migrations": 1, "things": 5}
    assert manifest["migrations"] == {"core": ["0001_initial"]}
    assert manifest["media"]["files"] == 2
    assert set(manifest["media"]["sample"]) == {"documents/2026/公文.pdf", "petitions/a.txt"}
    assert BackupRecord.objects.get(kind="backup").ok is True

    target = Database(engine="sqlite", name=str(tmp_path / "restored" / "portal.sqlite3"))
    restored_media = tmp_path / "restored-media"
    backup.restore_backup(folder=folder, database=target, media_root=restored_media)
    with sqlite3.connect(target.name) as con:
        assert [r[0] for r in con.execute("SELECT name FROM things ORDER BY id")] == [
            f"件{n}" for n in range(5)
        ]
    assert (restored_media / "petitions" / "a.txt").read_text("utf-8") == "陳情內容 ‮RTL"
    assert backup.compare_with_manifest(manifest, target, restored_media) == []


@pytest.mark.django_db
def test_restore_refuses_a_database_or_media_folder_in_use(tmp_path, media):
    source = _sqlite_db(tmp_path / "portal.sqlite3")
    folder = backup.create_backup(
        output=tmp_path / "b", database=source, media_root=media, passphrase=""
    )
    busy = _sqlite_db(tmp_path / "busy.sqlite3", rows=1)
    with pytest.raises(BackupError, match="not empty: restore with --force"):
        backup.restore_backup(folder=folder, database=busy, media_root=tmp_path / "m")
    empty = Database(engine="sqlite", name=str(tmp_path / "new.sqlite3"))
    with pytest.raises(BackupError, match="media folder .* is not empty"):
        backup.restore_backup(folder=folder, database=empty, media_root=media)
    assert not Path(empty.name).exists()  # nothing half-done
    backup.restore_backup(folder=folder, database=busy, media_root=media, force=True)
    with sqlite3.connect(busy.name) as con:
        assert con.execute("SELECT count(*) FROM things").fetchone()[0] == 3


@pytest.mark.django_db
def test_an_encrypted_backup_needs_its_passphrase(tmp_path, media):
    source = _sqlite_db(tmp_path / "portal.sqlite3")
    folder = backup.create_backup(
        output=tmp_path / "b", database=source, media_root=media, passphrase="correct horse"
    )
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["database.sqlite3.gpg", "manifest.json", "media.tar.gz.gpg"]
    assert b"SQLite format" not in (folder / "database.sqlite3.gpg").read_bytes()
    assert json.loads((folder / "manifest.json").read_text())["encrypted"] is True
    target = Database(engine="sqlite", name=str(tmp_path / "r.sqlite3"))
    with pytest.raises(BackupError, match="BACKUP_PASSPHRASE"):
        backup.restore_backup(
            folder=folder, database=target, media_root=tmp_path / "m", passphrase=""
        )
    with pytest.raises(BackupError, match="gpg failed"):
        backup.restore_backup(
            folder=folder, database=target, media_root=tmp_path / "m", passphrase="wrong"
        )
    backup.restore_backup(
        folder=folder, database=target, media_root=tmp_path / "m", passphrase="correct horse"
    )
    with sqlite3.connect(target.name) as con:
        assert con.execute("SELECT count(*) FROM things").fetchone()[0] == 3


@pytest.mark.django_db
def test_the_manifest_check_names_a_corrupted_file(tmp_path, media):
    source = _sqlite_db(tmp_path / "portal.sqlite3")
    folder = backup.create_backup(
        output=tmp_path / "b", database=source, media_root=media, passphrase=""
    )
    data = bytearray((folder / "media.tar.gz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "media.tar.gz").write_bytes(bytes(data))
    with pytest.raises(BackupError, match="media.tar.gz does not match its SHA-256"):
        backup.read_manifest(folder)
    (folder / "database.sqlite3").unlink()
    with pytest.raises(BackupError, match="database.sqlite3 is missing"):
        backup.read_manifest(folder)


def test_a_media_archive_cannot_write_outside_the_folder(tmp_path):
    archive = tmp_path / "evil.tar.gz"
    payload = tmp_path / "payload"
    payload.write_text("x")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(payload, arcname="../../escaped.txt")
    with pytest.raises(BackupError, match="unsafe path"):
        backup._restore_media(archive, tmp_path / "media")
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_retention_keeps_the_newest_of_each_day_week_and_month(tmp_path):
    stamps = [
        "20261201T023000000000Z", "20261201T120000000000Z", "20261130T023000000000Z",
        "20261122T023000000000Z", "20261015T023000000000Z", "20260901T023000000000Z",
        "20250101T023000000000Z",
    ]  # fmt: skip
    for stamp in stamps:
        (tmp_path / stamp).mkdir()
        (tmp_path / stamp / "manifest.json").write_text("{}")
    (tmp_path / ".20261201T130000000000Z.partial").mkdir()  # never a backup
    deleted = backup.prune_backups(tmp_path, daily=2, weekly=2, monthly=3)
    kept = sorted(p.name for p in backup.backups_in(tmp_path))
    # days: 12-01 (its newest), 11-30; ISO weeks: W49 (12-01; Monday 11-30 is W49 too), W47
    # (Sunday 11-22); months: 12, 11 (11-30), 10
    assert kept == [
        "20261015T023000000000Z",
        "20261122T023000000000Z",
        "20261130T023000000000Z",
        "20261201T120000000000Z",
    ]
    assert sorted(p.name for p in deleted) == sorted(set(stamps) - set(kept))


@pytest.mark.django_db
def test_no_successful_drill_this_month_alerts_the_administrators(superuser):
    with freeze_time("2026-12-01 09:00:00+08:00"):
        BackupRecord.objects.create(kind="drill", ok=True, at=datetime(2026, 11, 20, tzinfo=UTC))
        assert backup.drill_overdue() is False
    with freeze_time("2026-12-25 09:00:00+08:00"):
        assert backup.drill_overdue() is True
    notice = Notice.objects.get(recipient=superuser)
    assert notice.kind == "alert"
    assert "restore drill" in notice.title.lower() or "還原演練" in notice.title


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def scratch_postgres():
    """An empty PostgreSQL database next to the test database, dropped afterwards."""
    like = Database.default()
    name = f"mol_restore_{uuid.uuid4().hex[:10]}"
    with like.pg_connect("postgres") as con:
        con.execute(f'CREATE DATABASE "{name}"')
    target = Database(**{**like.__dict__, "name": name})
    yield target
    with like.pg_connect("postgres") as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(database: Database) -> str:
    auth = database.user + (f":{database.password}" if database.password else "")
    return (
        f"postgres://{auth}@{database.host or '127.0.0.1'}:{database.port or 5432}/{database.name}"
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_postgres_round_trip_through_the_commands(tmp_path, media, settings, scratch_postgres):
    assert database_vendor() == "postgresql"
    settings.MEDIA_ROOT = media
    settings.BACKUP_PASSPHRASE = ""
    settings.BACKUP_COPY_DIR = str(tmp_path / "offsite")
    marker = AuditLogEntry.objects.create(action="update", message="backup marker 備份標記")
    call_command("backup", output=tmp_path / "backups")
    folder = backup.backups_in(tmp_path / "backups")[-1]
    assert (tmp_path / "offsite" / folder.name / "manifest.json").is_file()  # second copy
    manifest = backup.read_manifest(folder)
    assert manifest["engine"] == "postgresql"
    assert manifest["tables"]["core_auditlogentry"] == AuditLogEntry.objects.count()
    assert "0006_backup_record" in manifest["migrations"]["core"]

    with pytest.raises(CommandError, match="not empty"):  # the portal's own database
        call_command("restore", input=folder, media_root=tmp_path / "fresh-media")

    restored_media = tmp_path / "restored-media"
    call_command(
        "restore", input=folder, target_url=_url(scratch_postgres), media_root=restored_media
    )
    with scratch_postgres.pg_connect() as con, con.cursor() as cur:
        cur.execute("SELECT message FROM core_auditlogentry WHERE id = %s", [marker.pk])
        assert cur.fetchone() == ("backup marker 備份標記",)
    assert backup.compare_with_manifest(manifest, scratch_postgres, restored_media) == []
    assert (restored_media / "documents" / "2026" / "公文.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_drill_passes_on_a_good_backup_and_fails_on_a_corrupted_one(
    tmp_path, media, settings, superuser
):
    settings.MEDIA_ROOT = media
    settings.BACKUP_PASSPHRASE = "drill passphrase"
    settings.BACKUP_COPY_DIR = ""
    settings.BACKUP_DIR = tmp_path / "backups"
    good = backup.create_backup()
    call_command("restore_drill")
    drill = BackupRecord.objects.filter(kind="drill").latest("at")
    assert drill.ok is True and drill.location == str(good)
    with connections["default"].cursor() as cur:  # the scratch database is gone
        cur.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", ["%_drill_%"])
        assert cur.fetchone()[0] == 0

    bad = backup.create_backup()
    dump = bad / "database.dump.gpg"
    data = bytearray(dump.read_bytes())
    data[-100] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore_drill")
    failed = BackupRecord.objects.filter(kind="drill").latest("at")
    assert failed.ok is False and failed.location == str(bad)
    assert Notice.objects.filter(recipient=superuser, kind="alert").exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_drill_finds_rows_that_differ_from_the_manifest(tmp_path, media, settings):
    settings.MEDIA_ROOT = media
    settings.BACKUP_PASSPHRASE = ""
    settings.BACKUP_COPY_DIR = ""
    folder = backup.create_backup(output=tmp_path / "b")
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["core_organization"] += 1  # as if a table lost a row in the dump
    manifest_path.write_text(json.dumps(manifest))
    record = backup.restore_drill(folder=folder)
    assert record.ok is False
    assert any("core_organization" in p for p in record.detail["problems"])
