"""A real IMAP server for the tests: Debian's Dovecot, started as its own process with a
configuration in a temporary folder (127.0.0.1, a free port, no SSL, one user from a
passwd-file, maildir storage in the same folder), stopped at teardown.

Dovecot refuses to serve mail as uid 0. Started by an ordinary user, it runs everything as that
user; started by root (CI), it drops to its own service users for login and internals, and the
mailbox belongs to `nobody`."""

from __future__ import annotations

import datetime as dt
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "appeals"
PASSWORD = "mailbox-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dovecot:
    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="otklik-dovecot-"))
        # Dovecot's own processes (and the mail user when we are root) must reach the folder.
        self.root.chmod(0o755)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _config(self) -> str:
        mail = self.root / "mail"
        mail.mkdir()
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            uid, gid = nobody.pw_uid, nobody.pw_gid
            os.chown(mail, uid, gid)
            users = ""  # Dovecot's defaults: dovenull for logins, dovecot for internals
        else:
            uid, gid = os.getuid(), os.getgid()
            me, group = pwd.getpwuid(uid).pw_name, grp.getgrgid(gid).gr_name
            users = f"default_login_user = {me}\ndefault_internal_user = {me}\ndefault_internal_group = {group}\n"
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        return f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
instance_name = otklik-test-{self.port}
{users}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""

    def start(self) -> None:
        conf = self.root / "dovecot.conf"
        conf.write_text(self._config())
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"dovecot exited with {self.process.returncode}: {stderr}\n{self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port}:\n{self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- what a test does with the mailbox, over IMAP like any mail client ------------------------

    def client(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(USER, PASSWORD)
        return connection

    def append(
        self, raw: bytes, *, when: dt.datetime | None = None, flags: str | None = None, folder: str = "INBOX"
    ) -> str:
        """IMAP APPEND a letter; returns its UID."""
        connection = self.client()
        try:
            status, data = connection.append(folder, flags, when or dt.datetime.now(dt.UTC), raw)
            assert status == "OK", data
            # [APPENDUID <validity> <uid>]
            return data[0].decode().split("APPENDUID ")[1].split()[1].rstrip("]")
        finally:
            connection.logout()

    def flags(self, folder: str = "INBOX") -> dict[str, set[str]]:
        """Every letter's flags by UID."""
        connection = self.client()
        try:
            connection.select(folder, readonly=True)
            status, data = connection.uid("FETCH", "1:*", "(UID FLAGS)")
            assert status == "OK", data
            result = {}
            for line in data:
                if not isinstance(line, bytes):
                    continue
                text = line.decode()
                uid = text.split("UID ")[1].split()[0].rstrip(")")
                result[uid] = {f.decode() for f in imaplib.ParseFlags(line)} - {"\\Recent"}
            return result
        finally:
            connection.logout()
