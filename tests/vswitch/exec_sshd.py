"""A real SSH server on 127.0.0.1 for the vSwitch collectors' SSH path.

The machine has no OpenSSH server, so this one is built on paramiko's server side: real SSH
(key exchange, host key, password authentication, exec channels) over a loopback TCP socket.
Each exec request runs its command with /bin/sh on this machine, as a hypervisor's sshd would,
and returns stdout, stderr and the exit status.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time

import paramiko


class _Server(paramiko.ServerInterface):
    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.commands: dict[int, str] = {}
        self.cond = threading.Condition()

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        ok = username == self.user and password == self.password
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        with self.cond:
            self.commands[channel.get_id()] = command.decode()
            self.cond.notify_all()
        return True


class ExecSshd:
    def __init__(self, user: str, password: str, host_key: paramiko.PKey | None = None) -> None:
        self.user, self.password = user, password
        self.host_key = host_key or paramiko.ECDSAKey.generate()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._transports: list[paramiko.Transport] = []
        self.executed: list[str] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        self._transports.append(transport)
        transport.add_server_key(self.host_key)
        server = _Server(self.user, self.password)
        try:
            transport.start_server(server=server)
        except (paramiko.SSHException, EOFError, OSError):
            return
        while not self._stop.is_set() and transport.is_active():
            chan = transport.accept(timeout=0.5)
            if chan is None:
                continue
            with server.cond:
                server.cond.wait_for(lambda c=chan: c.get_id() in server.commands, timeout=5)
                command = server.commands.pop(chan.get_id(), None)
            if command is None:
                chan.close()
                continue
            self.executed.append(command)
            proc = subprocess.run(["/bin/sh", "-c", command], capture_output=True, timeout=60,
                                  check=False)
            with contextlib.suppress(OSError, EOFError):
                chan.sendall(proc.stdout)
                chan.sendall_stderr(proc.stderr)
                chan.send_exit_status(proc.returncode)
                time.sleep(0.01)
                chan.close()

    def close(self) -> None:
        self._stop.set()
        self._acceptor.join(timeout=5)
        self.sock.close()
        for t in self._transports:
            t.close()
        for th in self._threads:
            th.join(timeout=5)
