"""Backups of the database and the media files, their restore, and the restore drill.

A backup is one folder, ``<BACKUP_DIR>/<UTC timestamp>/``, holding:

- ``database.dump``: ``pg_dump --format=custom`` on PostgreSQL, taken in the snapshot the row
  counts were read in (``pg_export_snapshot``), so the counts and the dump agree even while
  the portal writes; or ``database.sqlite3``, a copy by SQLite's online-backup API, on the
  embedded default;
- ``media.tar.gz``: every file under ``MEDIA_ROOT``;
- ``manifest.json``: format version, time, the portal's version, the database engine, size
  and SHA-256 of each file above, the migrations applied, the rows of every table, and the
  SHA-256 of a sample of media files. No personal data: names and counts only.

With ``BACKUP_PASSPHRASE`` set, the two data files are encrypted with GnuPG (symmetric,
AES-256, ``database.dump.gpg``); the manifest records the hash of what is stored, so it can be
verified without the passphrase. With ``BACKUP_COPY_DIR`` set, the finished folder is copied
there too (a second disk or a mounted off-site share).

``restore`` verifies the manifest first, then restores into an empty database and media
folder (``force=True`` overwrites). ``drill`` restores the newest backup into a scratch
database and folder, compares the rows per table and the sampled files' hashes with the
manifest, checks the migrations, and records the result (``BackupRecord``).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_FILE = "media.tar.gz"
SAMPLE_FILES = 50
_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup, a restore or a drill could not be done; the message says why."""


@dataclass
class Database:
    """Where a database is: the engine (``postgresql`` or ``sqlite``) and its connection
    settings (Django's ``DATABASES`` entry keys)."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, entry: dict) -> Database:
        engine = entry["ENGINE"]
        if engine == "django.db.backends.postgresql":
            kind = "postgresql"
        elif engine == "django.db.backends.sqlite3":
            kind = "sqlite"
        else:
            raise BackupError(f"unsupported database engine {engine}")
        return cls(
            engine=kind,
            name=str(entry["NAME"]),
            user=str(entry.get("USER") or ""),
            password=str(entry.get("PASSWORD") or ""),
            host=str(entry.get("HOST") or ""),
            port=str(entry.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        import environ  # noqa: PLC0415 - only for --target-url

        return cls.from_settings(environ.Env.db_url_config(url))

    @classmethod
    def default(cls) -> Database:
        return cls.from_settings(connections.databases["default"])

    def pg_env(self) -> dict[str, str]:
        env = {**os.environ}
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
        ):
            if value:
                env[key] = value
        return env

    def pg_connect(self, dbname: str | None = None):
        import psycopg  # noqa: PLC0415 - PostgreSQL only

        return psycopg.connect(
            dbname=dbname or self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port or None,
            autocommit=True,
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _run(args: list[str], *, env: dict | None = None, stdin: bytes | None = None) -> None:
    try:
        subprocess.run(  # noqa: S603 - fixed programs, arguments are not shell-parsed
            args, env=env, input=stdin, check=True, capture_output=True, timeout=6 * 3600
        )
    except FileNotFoundError as exc:
        raise BackupError(f"{args[0]} is not installed") from exc
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise BackupError(f"{args[0]} failed: {detail}") from exc


def app_version() -> str:
    try:
        return metadata.version("mol-portal")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- reading a database ----------------------------------------------------------------------


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _counts_and_migrations(cursor, tables: list[str]) -> tuple[dict, dict]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - quoted name
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return counts, migrations


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in rows]


def database_state(database: Database) -> tuple[dict, dict]:
    """Rows per table and migrations applied of ``database`` as it is now."""
    if database.engine == "sqlite":
        with sqlite3.connect(database.name) as connection:
            cursor = connection.cursor()
            return _counts_and_migrations(cursor, _sqlite_tables(connection))
    with database.pg_connect() as connection, connection.cursor() as cursor:
        return _counts_and_migrations(cursor, _pg_tables(cursor))


def database_is_empty(database: Database) -> bool:
    if database.engine == "sqlite":
        path = Path(database.name)
        if not path.exists() or path.stat().st_size == 0:
            return True
        with sqlite3.connect(path) as connection:
            return not _sqlite_tables(connection)
    with database.pg_connect() as connection, connection.cursor() as cursor:
        return not _pg_tables(cursor)


# --- encryption --------------------------------------------------------------------------------


def _encrypt(path: Path, passphrase: str) -> Path:
    target = path.with_name(path.name + ".gpg")
    _run(
        [
            "gpg", "--batch", "--yes", "--quiet", "--pinentry-mode", "loopback",
            "--passphrase-fd", "0", "--symmetric", "--cipher-algo", "AES256",
            "--output", str(target), str(path),
        ],
        env={**os.environ, "GNUPGHOME": tempfile.mkdtemp(prefix="mol-gpg-")},
        stdin=passphrase.encode("utf-8"),
    )  # fmt: skip
    path.unlink()
    return target


def _decrypt(path: Path, target: Path, passphrase: str) -> Path:
    _run(
        [
            "gpg", "--batch", "--yes", "--quiet", "--pinentry-mode", "loopback",
            "--passphrase-fd", "0", "--decrypt", "--output", str(target), str(path),
        ],
        env={**os.environ, "GNUPGHOME": tempfile.mkdtemp(prefix="mol-gpg-")},
        stdin=passphrase.encode("utf-8"),
    )  # fmt: skip
    return target


# --- backup ---------------------------------------------------------------------------------


def _dump_postgres(database: Database, target: Path) -> tuple[dict, dict]:
    """``pg_dump`` of ``database`` in the snapshot the counts are read in."""
    with database.pg_connect() as connection:
        connection.autocommit = False
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts, migrations = _counts_and_migrations(cursor, _pg_tables(cursor))
            _run(
                [
                    "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                    f"--snapshot={snapshot}", f"--file={target}", database.name,
                ],
                env=database.pg_env(),
            )  # fmt: skip
        connection.rollback()
    return counts, migrations


def _dump_sqlite(database: Database, target: Path) -> tuple[dict, dict]:
    """A consistent copy by the online-backup API; the counts are read from the copy."""
    source = sqlite3.connect(database.name)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        counts, migrations = _counts_and_migrations(copy.cursor(), _sqlite_tables(copy))
    finally:
        copy.close()
        source.close()
    return counts, migrations


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def _pack_media(media_root: Path, target: Path) -> dict:
    files = _media_files(media_root)
    with tarfile.open(target, "w:gz") as archive:
        for path in files:
            archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
    chosen = random.sample(files, min(SAMPLE_FILES, len(files)))  # noqa: S311 - not security
    return {
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "sample": {str(p.relative_to(media_root)): sha256_of(p) for p in sorted(chosen)},
    }


def _entry(path: Path) -> dict:
    return {"file": path.name, "size": path.stat().st_size, "sha256": sha256_of(path)}


def create_backup(
    *,
    output: Path | None = None,
    database: Database | None = None,
    media_root: Path | None = None,
    passphrase: str | None = None,
    copy_to: Path | None = None,
) -> Path:
    """Back up ``database`` (default: the portal's) and ``media_root`` into a new folder
    under ``output`` (default ``BACKUP_DIR``); returns the folder. Written under a temporary
    name and renamed when complete, so a half-written backup is never taken for one."""
    from .models import BackupRecord  # noqa: PLC0415 - models load after apps

    output = Path(output or settings.BACKUP_DIR)
    database = database or Database.default()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    passphrase = settings.BACKUP_PASSPHRASE if passphrase is None else passphrase
    copy_to = copy_to or (Path(settings.BACKUP_COPY_DIR) if settings.BACKUP_COPY_DIR else None)
    started = time.monotonic()
    now = datetime.now(UTC)
    name = now.strftime("%Y%m%dT%H%M%S%fZ")
    output.mkdir(parents=True, exist_ok=True)
    work = output / f".{name}.partial"
    work.mkdir()
    try:
        if database.engine == "postgresql":
            dump = work / "database.dump"
            counts, migrations = _dump_postgres(database, dump)
        else:
            dump = work / "database.sqlite3"
            counts, migrations = _dump_sqlite(database, dump)
        media = _pack_media(media_root, work / MEDIA_FILE)
        media_path = work / MEDIA_FILE
        plain = {"database": sha256_of(dump), "media": sha256_of(media_path)}
        if passphrase:
            dump = _encrypt(dump, passphrase)
            media_path = _encrypt(media_path, passphrase)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "app_version": app_version(),
            "engine": database.engine,
            "encrypted": bool(passphrase),
            "database": {**_entry(dump), "plain_sha256": plain["database"]},
            "media": {**_entry(media_path), "plain_sha256": plain["media"], **media},
            "migrations": migrations,
            "tables": counts,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), "utf-8")
        final = output / name
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if copy_to is not None:
        copy_to.mkdir(parents=True, exist_ok=True)
        shutil.copytree(final, copy_to / f".{name}.partial")
        (copy_to / f".{name}.partial").rename(copy_to / name)
    BackupRecord.objects.create(
        kind=BackupRecord.Kind.BACKUP,
        ok=True,
        location=str(final),
        seconds=round(time.monotonic() - started, 3),
        detail={
            "tables": len(counts),
            "rows": sum(counts.values()),
            "media_files": media["files"],
            "bytes": manifest["database"]["size"] + manifest["media"]["size"],
            "copied_to": str(copy_to / name) if copy_to else "",
        },
    )
    return final


# --- verifying and restoring ------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    """The manifest of ``folder`` after checking every file it lists against its size and
    SHA-256; ``BackupError`` names the first file that does not match."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST}")
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for part in ("database", "media"):
        entry = manifest[part]
        file = Path(folder) / entry["file"]
        if not file.is_file():
            raise BackupError(f"{entry['file']} is missing")
        if file.stat().st_size != entry["size"] or sha256_of(file) != entry["sha256"]:
            raise BackupError(f"{entry['file']} does not match its SHA-256 in the manifest")
    return manifest


@contextmanager
def _plain_files(folder: Path, manifest: dict, passphrase: str | None):
    """The database and media files of a verified backup, decrypted into a temporary folder
    when the backup is encrypted."""
    folder = Path(folder)
    if not manifest["encrypted"]:
        yield folder / manifest["database"]["file"], folder / manifest["media"]["file"]
        return
    passphrase = settings.BACKUP_PASSPHRASE if passphrase is None else passphrase
    if not passphrase:
        raise BackupError("the backup is encrypted: set BACKUP_PASSPHRASE")
    with tempfile.TemporaryDirectory(prefix="mol-restore-") as tmp:
        files = []
        for part in ("database", "media"):
            entry = manifest[part]
            plain = Path(tmp) / entry["file"].removesuffix(".gpg")
            _decrypt(folder / entry["file"], plain, passphrase)
            if sha256_of(plain) != entry["plain_sha256"]:
                raise BackupError(f"{entry['file']} decrypts to something else than was backed up")
            files.append(plain)
        yield files[0], files[1]


def _restore_database(dump: Path, database: Database, engine: str, force: bool) -> None:
    if engine != database.engine:
        raise BackupError(f"a {engine} backup cannot be restored into {database.engine}")
    if database.engine == "sqlite":
        target = Path(database.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(dump, partial)
        os.replace(partial, target)
        return
    args = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", database.name]
    if force:
        args[1:1] = ["--clean", "--if-exists"]
    _run([*args, str(dump)], env=database.pg_env())


def _safe_members(archive: tarfile.TarFile):
    for member in archive.getmembers():
        if not member.isfile():
            continue
        path = Path(member.name)
        if path.is_absolute() or ".." in path.parts:
            raise BackupError(f"unsafe path in the media archive: {member.name}")
        yield member


def _restore_media(archive_path: Path, media_root: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(media_root, members=_safe_members(archive), filter="data")


def media_is_empty(media_root: Path) -> bool:
    return not _media_files(Path(media_root))


def restore_backup(
    *,
    folder: Path,
    database: Database | None = None,
    media_root: Path | None = None,
    force: bool = False,
    passphrase: str | None = None,
) -> dict:
    """Restore the backup in ``folder`` into ``database`` (default: the portal's) and
    ``media_root``. Verifies the manifest first; refuses a database with tables or a media
    folder with files unless ``force``. Returns the manifest."""
    manifest = read_manifest(folder)
    database = database or Database.default()
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not force:
        if not database_is_empty(database):
            raise BackupError(
                f"the database {database.name} is not empty: restore with --force to overwrite"
            )
        if not media_is_empty(media_root):
            raise BackupError(
                f"the media folder {media_root} is not empty: restore with --force to overwrite"
            )
    connections.close_all()
    with _plain_files(folder, manifest, passphrase) as (dump, media):
        _restore_database(dump, database, manifest["engine"], force)
        if force and media_root.is_dir():
            shutil.rmtree(media_root)
        _restore_media(media, media_root)
    return manifest


def compare_with_manifest(manifest: dict, database: Database, media_root: Path) -> list[str]:
    """What differs between a restored database and media folder and the manifest."""
    problems = []
    counts, migrations = database_state(database)
    for table, rows in sorted(manifest["tables"].items()):
        if counts.get(table) != rows:
            problems.append(f"table {table}: {counts.get(table)} rows, manifest {rows}")
    for table in sorted(set(counts) - set(manifest["tables"])):
        problems.append(f"table {table} is not in the manifest")
    if migrations != manifest["migrations"]:
        problems.append("the migrations applied differ from the manifest")
    for name, digest in sorted(manifest["media"]["sample"].items()):
        path = Path(media_root) / name
        if not path.is_file():
            problems.append(f"media file {name} is missing")
        elif sha256_of(path) != digest:
            problems.append(f"media file {name} does not match its SHA-256")
    return problems


# --- the drill --------------------------------------------------------------------------------


def backups_in(output: Path) -> list[Path]:
    """The complete backups under ``output``, oldest first."""
    output = Path(output)
    if not output.is_dir():
        return []
    return sorted(p for p in output.iterdir() if p.is_dir() and (p / MANIFEST).is_file())


@contextmanager
def _scratch(engine: str, like: Database):
    """An empty scratch database of ``engine`` next to ``like``, dropped afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mol-drill-") as tmp:
            yield Database(engine="sqlite", name=str(Path(tmp) / "drill.sqlite3"))
        return
    if like.engine != "postgresql":
        raise BackupError("a PostgreSQL backup needs a PostgreSQL server for the drill")
    name = f"{like.name[:40]}_drill_{os.getpid()}_{random.randrange(10**6)}"  # noqa: S311
    scratch = Database(**{**like.__dict__, "name": name})
    with like.pg_connect("postgres") as connection:
        connection.execute(f"CREATE DATABASE {_quote(name)}")
    try:
        yield scratch
    finally:
        with like.pg_connect("postgres") as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


def restore_drill(
    *, output: Path | None = None, folder: Path | None = None, passphrase: str | None = None
):
    """Restore the newest backup under ``output`` (or ``folder``) into a scratch database
    and folder, compare with its manifest, record the result (``BackupRecord``) and alert
    the administrators when it fails. Returns the record."""
    from .alerts import admin_alert  # noqa: PLC0415
    from .models import BackupRecord  # noqa: PLC0415

    started = time.monotonic()
    problems: list[str] = []
    location = ""
    try:
        if folder is None:
            found = backups_in(Path(output or settings.BACKUP_DIR))
            if not found:
                raise BackupError("no backup to restore")
            folder = found[-1]
        location = str(folder)
        manifest = read_manifest(folder)
        with (
            _scratch(manifest["engine"], Database.default()) as scratch,
            tempfile.TemporaryDirectory(prefix="mol-drill-media-") as media,
        ):
            restore_backup(
                folder=folder, database=scratch, media_root=Path(media), passphrase=passphrase
            )
            problems = compare_with_manifest(manifest, scratch, Path(media))
    except BackupError as exc:
        problems = [str(exc)]
    record = BackupRecord.objects.create(
        kind=BackupRecord.Kind.DRILL,
        ok=not problems,
        location=location,
        seconds=round(time.monotonic() - started, 3),
        detail={"problems": problems[:100]},
    )
    if problems:
        admin_alert(
            key="core.restore_drill_failed",
            subject="Restore drill failed",
            body=f"The restore drill of {location or 'the newest backup'} failed:\n"
            + "\n".join(problems[:20]),
            source="core",
        )
    return record


def drill_overdue(*, days: int = 31) -> bool:
    """No successful drill in the last ``days``: alert the administrators (once a day at
    most, as the job runs daily). Returns whether one was overdue."""
    from .alerts import admin_alert  # noqa: PLC0415
    from .models import BackupRecord  # noqa: PLC0415

    since = timezone.now() - timedelta(days=days)
    if BackupRecord.objects.filter(kind=BackupRecord.Kind.DRILL, ok=True, at__gte=since).exists():
        return False
    admin_alert(
        key="core.restore_drill_overdue",
        subject="No successful restore drill this month",
        body=f"No restore drill succeeded in the last {days} days. Run manage.py restore_drill.",
        source="core",
    )
    return True


# --- retention --------------------------------------------------------------------------------


def _created(folder: Path) -> datetime:
    return datetime.strptime(folder.name, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def prune_backups(
    output: Path | None = None, *, daily: int | None = None, weekly: int | None = None,
    monthly: int | None = None,
) -> list[Path]:  # fmt: skip
    """Keep the newest backup of each of the last ``daily`` days, ``weekly`` ISO weeks and
    ``monthly`` months (``BACKUP_KEEP_*``); delete the others. Returns what was deleted."""
    output = Path(output or settings.BACKUP_DIR)
    daily = settings.BACKUP_KEEP_DAILY if daily is None else daily
    weekly = settings.BACKUP_KEEP_WEEKLY if weekly is None else weekly
    monthly = settings.BACKUP_KEEP_MONTHLY if monthly is None else monthly
    found = list(reversed(backups_in(output)))  # newest first
    keep: set[Path] = set()
    for count, period in (
        (daily, lambda d: d.date()),
        (weekly, lambda d: d.isocalendar()[:2]),
        (monthly, lambda d: (d.year, d.month)),
    ):
        seen = []
        for folder in found:
            key = period(_created(folder))
            if key not in seen:
                if len(seen) >= count:
                    break
                seen.append(key)
                keep.add(folder)
    deleted = [folder for folder in found if folder not in keep]
    for folder in deleted:
        shutil.rmtree(folder)
    return deleted
